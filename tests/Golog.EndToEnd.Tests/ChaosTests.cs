using System.Collections.Concurrent;
using System.Diagnostics;
using Golog.Client;
using Xunit.Abstractions;

namespace Golog.EndToEnd.Tests;

/// <summary>
/// Jepsen-style: concurrent producers (single and batch, several partitions) and a committer run against the real
/// broker process, which is killed with SIGKILL at a random moment and restarted, round after round. After every
/// restart the whole log is read back and checked against what was acknowledged. Rounds: GOLOG_CHAOS_ROUNDS
/// (default 20; the long soak is `dotnet pwsh build.ps1 soak 500`).
/// </summary>
public sealed class ChaosTests(ITestOutputHelper output)
{
    private const string Topic = "chaos";
    private const string Group = "chaos-group";
    private const int Partitions = 3;

    private sealed record Sent(string Payload, int Partition, int BatchId, int IndexInBatch, int BatchSize);

    private readonly ConcurrentDictionary<string, Sent> _sent = new();
    private readonly ConcurrentDictionary<(int Partition, long Offset), string> _acked = new();
    private readonly ConcurrentQueue<string> _unexpected = new();
    private long _ackedCommit = -1;
    private int _batchIds;

    /// <summary>Each round waits for this many acknowledged messages before the kill is armed, and fails without them.</summary>
    private const int MinAckedPerRound = 20;

    /// <summary>The log start each partition had at the last check: retention may move it forward, never back.</summary>
    private readonly long[] _logStart = new long[Partitions];

    [Fact]
    public Task Kill_9_under_load_never_loses_an_acknowledged_message() => RunAsync(Rounds(20), retention: false);

    /// <summary>
    /// Everything on at once: segments roll every 100 messages, retention deletes the oldest while the committer's
    /// group offsets go through the group coordinator, which every restart starts afresh from its offset store.
    /// Acknowledged messages below the log start were deleted by retention, not lost; the start never goes back.
    /// </summary>
    [Fact]
    public Task Kill_9_with_segments_rolling_retention_deleting_and_group_commits_never_loses_an_acknowledged_message() =>
        RunAsync(Rounds(10), retention: true, "--set", "golog.segment.messages=100", "--set", "golog.retention.bytes=16KiB",
            "--set", "golog.retention.check-interval=100ms");

    private static int Rounds(int ciDefault) =>
        int.TryParse(Environment.GetEnvironmentVariable("GOLOG_CHAOS_ROUNDS"), out var r) ? r : ciDefault;

    private async Task RunAsync(int rounds, bool retention, params string[] brokerArgs)
    {
        int seed = Environment.TickCount;
        var random = new Random(seed);
        output.WriteLine($"chaos: {rounds} rounds, seed {seed}, broker {string.Join(' ', brokerArgs)}");
        using var storage = new TempStorage();
        var startTimes = new List<double>();
        long verified = 0;

        for (int round = 0; round < rounds; round++)
        {
            var clock = Stopwatch.StartNew();
            await using var broker = await BrokerProcess.StartAsync(storage.Path, brokerArgs);
            startTimes.Add(clock.Elapsed.TotalMilliseconds);
            verified = await VerifyAsync(broker.Port, round);

            using var stop = new CancellationTokenSource();
            var load = new List<Task>();
            int ackedBefore = _acked.Count;
            for (int p = 0; p < 4; p++) load.Add(ProduceAsync(broker.Port, round, p, batched: p % 2 == 1, stop.Token));
            load.Add(CommitAsync(broker.Port, stop.Token));
            // the kill comes at a random moment after a floor of acknowledged work (bounded wait: a broker that
            // acknowledges nothing fails the round below instead of hanging)
            for (var armed = Stopwatch.StartNew(); _acked.Count - ackedBefore < MinAckedPerRound && armed.Elapsed < TimeSpan.FromSeconds(30);)
                await Task.Delay(10);
            await Task.Delay(random.Next(0, 600));
            await broker.KillAsync();
            stop.Cancel();
            await Task.WhenAll(load);
            Assert.True(_unexpected.IsEmpty, $"round {round}: errors a user would call data loss:\n{string.Join("\n", _unexpected.Take(10))}\n{broker.Log}");
            Assert.True(_acked.Count - ackedBefore >= MinAckedPerRound,
                $"round {round}: only {_acked.Count - ackedBefore} messages acknowledged before the kill; the round proved nothing\n{broker.Log}");
        }

        await using (var last = await BrokerProcess.StartAsync(storage.Path, brokerArgs))
            verified = await VerifyAsync(last.Port, rounds);

        output.WriteLine($"chaos totals: rounds={rounds} acked={_acked.Count} verified={verified} lost=0 " +
                         $"sent={_sent.Count} start-ms median={Median(startTimes):F0} max={startTimes.Max():F0} log-starts={string.Join(',', _logStart)}");
        if (retention) Assert.True(_logStart.Any(s => s > 0), "retention deleted no segment: the variant tested nothing more");
    }

    /// <summary>
    /// What a kill -9 may do to a request in flight: the connection drops (or the broker refuses while stopping).
    /// Every other failure, storage_error above all, is recorded and fails the round.
    /// </summary>
    private bool ExpectedDuringKill(Exception e)
    {
        if (e is IOException or OperationCanceledException or System.Net.Sockets.SocketException or ObjectDisposedException) return true;
        if (e is GologException { Code: "broker_shutting_down" }) return true;
        _unexpected.Enqueue(e.ToString());
        return true;
    }

    private async Task ProduceAsync(int port, int round, int producer, bool batched, CancellationToken stop)
    {
        var random = new Random(round * 100 + producer);
        try
        {
            await using var client = await GologClient.ConnectAsync("127.0.0.1", port, stop);
            var inFlight = new List<Task>();
            for (int n = 0; !stop.IsCancellationRequested && client.IsConnected; n++)
            {
                int partition = random.Next(Partitions);
                int size = batched ? random.Next(1, 20) : 1;
                int batchId = Interlocked.Increment(ref _batchIds);
                var payloads = Enumerable.Range(0, size).Select(i => $"r{round}-p{producer}-n{n}-{i}").ToList();
                for (int i = 0; i < size; i++) _sent[payloads[i]] = new Sent(payloads[i], partition, batchId, i, size);
                inFlight.Add(ProduceOneAsync(client, partition, payloads));
                if (inFlight.Count >= 8)
                {
                    await Task.WhenAny(inFlight);
                    // awaited before it is dropped: a failed produce (an assertion included) is never lost unseen
                    foreach (var done in inFlight.Where(t => t.IsCompleted).ToList()) { await done; inFlight.Remove(done); }
                }
            }
            await Task.WhenAll(inFlight);
        }
        catch (Exception e) when (ExpectedDuringKill(e)) { }
    }

    private async Task ProduceOneAsync(GologClient client, int partition, List<string> payloads)
    {
        try
        {
            var ack = await client.ProduceAsync(Topic, partition, payloads);
            Assert.Equal(payloads.Count - 1, ack.LastOffset - ack.BaseOffset);
            for (int i = 0; i < payloads.Count; i++) _acked[(partition, ack.BaseOffset + i)] = payloads[i];
        }
        catch (Exception e) when (ExpectedDuringKill(e)) { } // unacknowledged: may or may not be stored
    }

    private async Task CommitAsync(int port, CancellationToken stop)
    {
        try
        {
            await using var client = await GologClient.ConnectAsync("127.0.0.1", port, stop);
            while (!stop.IsCancellationRequested)
            {
                long next = Interlocked.Read(ref _ackedCommit) + 1;
                await client.CommitAsync(Group, Topic, 0, next, stop);
                InterlockedMax(ref _ackedCommit, next);
                await Task.Delay(5, stop);
            }
        }
        catch (Exception e) when (ExpectedDuringKill(e)) { }
    }

    /// <summary>Reads every partition from offset 0 and checks it against what was sent and acknowledged.</summary>
    private async Task<long> VerifyAsync(int port, int round)
    {
        await using var client = await GologClient.ConnectAsync("127.0.0.1", port);
        if (round == 0) { await client.CreateTopicAsync(Topic, Partitions); return 0; }
        long verified = 0;
        for (int p = 0; p < Partitions; p++)
        {
            var (start, log) = await ReadPartitionAsync(client, p, round);
            for (int i = 0; i < log.Count; i++)
            {
                Assert.True(log[i].Offset == start + i, $"round {round}: partition {p} offsets not contiguous at {start + i}: {log[i].Offset}");
                Assert.True(_sent.TryGetValue(log[i].Payload, out var sent), $"round {round}: partition {p} offset {i} holds data never sent: {log[i].Payload}");
                Assert.Equal(p, sent!.Partition);
                // An unacknowledged batch appears whole or not at all: its first record starts a run of all of them.
                if (sent.IndexInBatch == 0)
                    for (int k = 1; k < sent.BatchSize; k++)
                        Assert.True(i + k < log.Count && _sent[log[i + k].Payload] is var next && next.BatchId == sent.BatchId && next.IndexInBatch == k,
                            $"round {round}: batch {sent.BatchId} is not whole at partition {p} offset {i}");
            }
            Assert.Equal(log.Count, log.Select(l => l.Payload).Distinct().Count());
            foreach (var ((partition, offset), payload) in _acked.Where(a => a.Key.Partition == p && a.Key.Offset >= start))
            {
                Assert.True(offset < start + log.Count, $"round {round}: LOST acknowledged {payload} at {p}/{offset} (log ends at {start + log.Count})");
                Assert.Equal(payload, log[(int)(offset - start)].Payload);
                verified++;
            }
        }
        long? committed = await client.CommittedAsync(Group, Topic, 0);
        long acked = Interlocked.Read(ref _ackedCommit);
        if (acked >= 0) Assert.True(committed >= acked, $"round {round}: committed offset went back from {acked} to {committed}");
        return verified;
    }

    /// <summary>
    /// The partition from its log start to its high watermark (log[i] is offset start + i). Retention keeps running
    /// on the restarted broker, so the start can move past the read position mid-read: the read then starts over
    /// from the new start, which must never be behind the old one.
    /// </summary>
    private async Task<(long Start, List<(long Offset, string Payload)> Log)> ReadPartitionAsync(GologClient client, int p, int round)
    {
        long start = await LogStartAsync(client, p);
        for (int attempt = 0; ; attempt++)
        {
            Assert.True(start >= _logStart[p], $"round {round}: partition {p} log start went back from {_logStart[p]} to {start}");
            _logStart[p] = start;
            var log = new List<(long Offset, string Payload)>();
            try
            {
                while (true)
                {
                    var f = await client.FetchAsync(Topic, p, start + log.Count, maxMessages: 5000, maxBytes: 4 << 20);
                    foreach (var rec in f.Records) log.Add((rec.Offset, rec.Message));
                    if (start + log.Count >= f.HighWatermark) return (start, log);
                }
            }
            catch (GologException e) when (e.Code == "offset_out_of_range" && e.LogStartOffset > start && attempt < 10)
            {
                start = e.LogStartOffset.Value;
            }
        }
    }

    /// <summary>The partition's log start: 0 until retention deletes a segment, then where the refusal of offset 0 says it is.</summary>
    private static async Task<long> LogStartAsync(GologClient client, int partition)
    {
        try
        {
            return (await client.FetchAsync(Topic, partition, 0, maxMessages: 1, maxBytes: 1 << 20)).LogStartOffset;
        }
        catch (GologException e) when (e.Code == "offset_out_of_range")
        {
            return e.LogStartOffset ?? throw new InvalidOperationException("offset_out_of_range without the log start offset");
        }
    }

    private static void InterlockedMax(ref long target, long value)
    {
        long current;
        while ((current = Interlocked.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current) { }
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }
}
