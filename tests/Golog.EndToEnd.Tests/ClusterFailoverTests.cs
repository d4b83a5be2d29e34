using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using Golog.Client;
using Golog.Protocol;
using Golog.Storage;
using Serilog.Core;
using Xunit.Abstractions;

namespace Golog.EndToEnd.Tests;

/// <summary>
/// Failover of a three-node cluster of real broker processes (<see cref="ClusterProcesses"/>) under acks=all load from
/// idempotent <see cref="ClusterClient"/> producers, checked Jepsen-style: after the faults every partition is read
/// from its leader and held against what was acknowledged (nothing lost, misplaced or duplicated, no reordering within
/// a producer, no offset acknowledged for two payloads). Then every node is stopped and each node's copy of each
/// partition is read from its files with Golog.Storage: all three copies must hold what the leader served.
/// </summary>
public sealed class ClusterFailoverTests(ITestOutputHelper output)
{
    private const string Topic = "failover";
    private const int Partitions = 3;
    /// <summary>Acknowledged messages each partition must take before a fault, and again once the cluster recovered.</summary>
    private const int MinAcksPerPartition = 20;
    /// <summary>Bounds every read loop (fetches, storage reads); far above what a run writes.</summary>
    private const int MaxReads = 10_000;

    /// <summary>golog.cluster.failure-timeout's default: how long a silent node takes to count as unreachable.</summary>
    private static readonly TimeSpan FailureTimeout = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan ElectionTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan RecoveryTimeout = TimeSpan.FromSeconds(60);
    /// <summary>How long a killed node stays down at least.</summary>
    private static readonly TimeSpan RestartAfter = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan Pause = 3 * FailureTimeout;

    /// <summary>An acknowledged message: its producer's number for it (the order sent), where it was stored, when its produce was sent and answered.</summary>
    private sealed record Ack(int Producer, long Number, int Partition, long Offset, string Payload, TimeSpan SentAt, TimeSpan At);

    /// <summary>
    /// kill -9 of partition 0's leader mid-load, a restart on its storage a few seconds later, then the same for the
    /// leader elected after it: each time a follower from the ISR takes over in a higher epoch with everything
    /// acknowledged, and the restarted node cuts what it had beyond and follows.
    /// </summary>
    [Fact]
    public async Task Kill_9_of_the_leader_under_acks_all_load_then_of_the_new_leader_loses_nothing_acknowledged()
    {
        await using var cluster = await ClusterProcesses.StartAsync();
        await ShowingLogsOnFailureAsync(cluster, async () =>
        {
            await CreateTopicAsync(cluster);
            var load = Load.Start(cluster.Bootstrap);
            await load.WaitForAcksAsync(TimeSpan.Zero, MinAcksPerPartition, RecoveryTimeout);
            var kills = new List<(int Node, PartitionMetadata Before, TimeSpan At, PartitionMetadata Elected, TimeSpan ElectedAt, TimeSpan RestartedAt)>();
            for (int round = 0; round < 2; round++) // the first leader, then the one elected after it
            {
                var before = Partition(await WaitUntilHealthyAsync(cluster), 0);
                int leader = before.Leader!.Value;
                await cluster.KillAsync(leader);
                var killedAt = load.Elapsed; // once it is gone: whatever is answered after this, the old leader did not answer
                var elected = Partition(await cluster.WaitUntilAsync(Topic, m => IsNewLeader(m, 0, before), ElectionTimeout, "a new leader of partition 0"), 0);
                var electedAt = load.Elapsed;
                if (RestartAfter - (load.Elapsed - killedAt) is { Ticks: > 0 } down) await Task.Delay(down);
                await cluster.RestartAsync(leader);
                kills.Add((leader, before, killedAt, elected, electedAt, load.Elapsed));
                await WaitUntilHealthyAsync(cluster); // back in every ISR: the next kill leaves two in-sync copies
            }
            await load.WaitForAcksAsync(load.Elapsed, MinAcksPerPartition, RecoveryTimeout);
            var acks = await load.StopAsync();

            foreach (var kill in kills)
            {
                var firstAck = FirstAckAfter(acks, 0, kill.At);
                output.WriteLine($"kill -9 of node {kill.Node} (leader of partition 0 in epoch {kill.Before.LeaderEpoch}) at {Seconds(kill.At)}, restarted " +
                                 $"at {Seconds(kill.RestartedAt)}: node {kill.Elected.Leader} " +
                                 $"leads in epoch {kill.Elected.LeaderEpoch} after {Seconds(kill.ElectedAt - kill.At)}; failover (kill to the first acknowledgement " +
                                 $"of a produce to partition 0 sent after it) {(firstAck is { } a ? Seconds(a - kill.At) : "none")}");
                Assert.True(firstAck is not null, $"nothing was acknowledged on partition 0 after the kill of node {kill.Node}");
            }
            await VerifyAsync(cluster, load, acks);
        });
    }

    /// <summary>
    /// SIGSTOP of a leader for three failure timeouts: a new leader is elected in a higher epoch meanwhile, and the old
    /// one, resumed with produces still in its socket, must not acknowledge anything the new leader lacks (acks=all
    /// waits for followers that now follow someone else); it learns the new epoch, cuts its tail and follows.
    /// </summary>
    [Fact]
    public async Task A_leader_paused_past_the_failure_timeout_is_fenced_and_rejoins_as_follower()
    {
        // The Split Brain Resolver waits well past the pause: the paused node is unreachable long enough for an election
        // but is not downed, so it comes back as the member it was, a deposed leader that still believes it leads. (A
        // downed node is shut down by Akka, exit code 3, and must be restarted: the kill -9 test covers a restart.)
        await using var cluster = await ClusterProcesses.StartAsync("--set", "golog.cluster.down-after=30s");
        await ShowingLogsOnFailureAsync(cluster, async () =>
        {
            await CreateTopicAsync(cluster);
            var load = Load.Start(cluster.Bootstrap);
            await load.WaitForAcksAsync(TimeSpan.Zero, MinAcksPerPartition, RecoveryTimeout);
            var metadata = await WaitUntilHealthyAsync(cluster);
            // not the controller's node: the controller is a singleton that moves only once its node is downed, so with
            // it paused nothing would be elected
            var before = metadata.Topics.Single(t => t.Name == Topic).Partitions.First(p => p.Leader != metadata.Controller);
            int partition = before.Partition, leader = before.Leader!.Value;

            await cluster.PauseAsync(leader);
            var pausedAt = load.Elapsed;
            var elected = Partition(await cluster.WaitUntilAsync(Topic, m => IsNewLeader(m, partition, before), Pause, "a new leader during the pause"), partition);
            var electedAt = load.Elapsed;
            if (Pause - (load.Elapsed - pausedAt) is { Ticks: > 0 } rest) await Task.Delay(rest);
            await cluster.ResumeAsync(leader);

            var after = Partition(await WaitUntilHealthyAsync(cluster), partition);
            Assert.False(cluster[leader].HasExited, $"node {leader} exited after SIGCONT");
            Assert.Equal((elected.Leader, elected.LeaderEpoch), (after.Leader, after.LeaderEpoch)); // it did not take the partition back
            Assert.Contains(leader, after.Isr!); // it follows, caught up
            await load.WaitForAcksAsync(load.Elapsed, MinAcksPerPartition, RecoveryTimeout);
            var acks = await load.StopAsync();

            var firstAck = FirstAckAfter(acks, partition, pausedAt);
            output.WriteLine($"SIGSTOP of node {leader} (leader of partition {partition} in epoch {before.LeaderEpoch}) for {Seconds(Pause)}: node " +
                             $"{elected.Leader} leads in epoch {elected.LeaderEpoch} after {Seconds(electedAt - pausedAt)}; first acknowledgement of a produce " +
                             $"to partition {partition} sent after the SIGSTOP: {(firstAck is { } a ? Seconds(a - pausedAt) : "none")} after it");
            await VerifyAsync(cluster, load, acks);
        });
    }

    // ---- the cluster ----

    /// <summary>Runs <paramref name="test"/>; when it fails, the brokers' logs go to the test output (they say why).</summary>
    private Task ShowingLogsOnFailureAsync(ClusterProcesses cluster, Func<Task> test) => cluster.ShowingLogsOnFailureAsync(output, test);

    /// <summary>Creates the topic with a replica on every node and waits until it is healthy.</summary>
    private static Task CreateTopicAsync(ClusterProcesses cluster) =>
        cluster.CreateTopicAsync(Topic, Partitions, ClusterProcesses.Nodes.Count, RecoveryTimeout);

    /// <summary>Every partition led with its full ISR, as every node's metadata says alike.</summary>
    private static Task<ClusterMetadata> WaitUntilHealthyAsync(ClusterProcesses cluster) =>
        cluster.WaitUntilHealthyAsync(Topic, Partitions, ClusterProcesses.Nodes.Count, RecoveryTimeout);

    private static PartitionMetadata Partition(ClusterMetadata metadata, int partition) =>
        metadata.Topics.Single(t => t.Name == Topic).Partitions.Single(p => p.Partition == partition);

    private static bool IsNewLeader(ClusterMetadata metadata, int partition, PartitionMetadata before) =>
        Partition(metadata, partition) is { Leader: { } leader, LeaderEpoch: { } epoch } && leader != before.Leader && epoch > before.LeaderEpoch;

    /// <summary>
    /// When the first produce to <paramref name="partition"/> sent after <paramref name="at"/> was acknowledged: a new
    /// leader's answer, not one the old leader sent just before the fault that arrived after it.
    /// </summary>
    private static TimeSpan? FirstAckAfter(IReadOnlyList<Ack> acks, int partition, TimeSpan at) =>
        acks.Where(a => a.Partition == partition && a.SentAt > at).Select(a => (TimeSpan?)a.At).Min();

    private static string Seconds(TimeSpan t) => $"{t.TotalSeconds:F1} s";

    // ---- the check ----

    /// <summary>Reads every partition from its leader, checks the acknowledgements against it, then every replica's files against it.</summary>
    private async Task VerifyAsync(ClusterProcesses cluster, Load load, IReadOnlyList<Ack> acks)
    {
        await WaitUntilHealthyAsync(cluster);
        var served = await ReadFromLeadersAsync(cluster);
        var verdict = Verdict.Of(acks, served);
        output.WriteLine($"produces not acknowledged: {load.Failures}");
        foreach (var failure in load.FirstFailures) output.WriteLine($"  {failure}");
        output.WriteLine($"checker: {verdict}; acknowledged per partition: {string.Join(", ", acks.GroupBy(a => a.Partition).OrderBy(g => g.Key).Select(g => $"{g.Key}: {g.Count()}"))}");
        foreach (var example in verdict.Examples) output.WriteLine($"  {example}");
        Assert.True(verdict.Clean, $"acknowledged writes mishandled: {verdict}\n{string.Join('\n', verdict.Examples)}");

        var exits = await cluster.StopAllAsync();
        Assert.All(exits, e => Assert.True(e.Value == 0, $"node {e.Key} exited with {e.Value} on SIGTERM"));
        for (int p = 0; p < Partitions; p++)
        {
            var leaderCopy = served[p].Select(r => (r.Offset, r.Message)).ToList();
            foreach (int node in ClusterProcesses.Nodes)
            {
                var copy = ReadCopy(cluster.StorageOf(node), p);
                output.WriteLine($"partition {p}: node {node}'s copy holds {copy.Count} records, the leader served {leaderCopy.Count}");
                Assert.True(copy.SequenceEqual(leaderCopy), $"node {node}'s copy of partition {p} differs from what its leader served: {FirstDifference(leaderCopy, copy)}");
            }
        }
    }

    /// <summary>Every partition as its leader serves it to a consumer: from offset 0 up to the high watermark.</summary>
    private static async Task<IReadOnlyDictionary<int, IReadOnlyList<FetchedRecord>>> ReadFromLeadersAsync(ClusterProcesses cluster)
    {
        await using var client = await ClusterClient.ConnectAsync(cluster.Bootstrap);
        var logs = new Dictionary<int, IReadOnlyList<FetchedRecord>>();
        for (int p = 0; p < Partitions; p++)
        {
            var records = new List<FetchedRecord>();
            for (int reads = 0; reads < MaxReads; reads++)
            {
                var fetched = await client.FetchAsync(Topic, p, records.Count == 0 ? 0 : records[^1].Offset + 1, maxMessages: 1000, maxWaitMs: 0);
                records.AddRange(fetched.Records);
                if (fetched.Records.Count == 0 || records[^1].Offset + 1 >= fetched.HighWatermark) break;
            }
            logs[p] = records;
        }
        return logs;
    }

    /// <summary>A replica's records as its files hold them, opened with Golog.Storage as the broker opens them after a clean stop.</summary>
    private static List<(long Offset, string Message)> ReadCopy(string storage, int partition)
    {
        using var log = PartitionLog.Open(StorageLayout.PartitionDirectory(storage, Topic, partition), new LogConfig(), cleanShutdown: true, Logger.None);
        var records = new List<(long, string)>();
        long offset = log.LogStartOffset;
        for (int reads = 0; reads < MaxReads && offset < log.LogEndOffset; reads++)
        {
            var bytes = log.Read(offset, 1 << 20).Bytes;
            if (bytes.IsEmpty) break;
            for (int position = 0; position < bytes.Length;)
            {
                var status = RecordBatchReader.Validate(bytes[position..], int.MaxValue, out var batch);
                if (status == BatchStatus.Incomplete && position > 0) break; // cut by the read's byte limit (ReadResult): the next read starts at it
                Assert.Equal(BatchStatus.Ok, status);
                foreach (var record in RecordBatchReader.Records(bytes.Slice(position, batch.Size)))
                    if (record.Offset >= offset) records.Add((record.Offset, Encoding.UTF8.GetString(record.Value)));
                position += batch.Size;
                offset = batch.NextOffset;
            }
        }
        return records;
    }

    private static string FirstDifference(List<(long Offset, string Message)> expected, List<(long Offset, string Message)> actual)
    {
        int i = 0;
        while (i < expected.Count && i < actual.Count && expected[i] == actual[i]) i++;
        string At(List<(long Offset, string Message)> records) => i < records.Count ? $"{records[i].Offset}:{records[i].Message}" : "the end";
        return $"record {i}: served {At(expected)}, copy has {At(actual)} (served {expected.Count} records, copy {actual.Count})";
    }

    /// <summary>
    /// What the leaders' logs say of the acknowledged writes (Jepsen's checker, with offsets). Lost: acknowledged, stored
    /// nowhere. Misplaced: stored, but not at the offset acknowledged. Duplicated: any payload stored twice (the client
    /// retries idempotently and the test never sends a payload again). Reordered: a producer's acknowledged payloads
    /// stored out of the order it sent them. Offsets reused: two payloads acknowledged at one offset.
    /// </summary>
    private sealed record Verdict(int Acknowledged, int Stored, int Lost, int Misplaced, int Duplicated, int Reordered, int OffsetsReused, IReadOnlyList<string> Examples)
    {
        private const int MaxExamples = 20;

        public bool Clean => Lost + Misplaced + Duplicated + Reordered + OffsetsReused == 0;

        public override string ToString() =>
            $"acknowledged={Acknowledged} stored={Stored} lost={Lost} misplaced={Misplaced} duplicated={Duplicated} reordered={Reordered} offsets-reused={OffsetsReused}";

        public static Verdict Of(IReadOnlyList<Ack> acks, IReadOnlyDictionary<int, IReadOnlyList<FetchedRecord>> logs)
        {
            var examples = new List<string>();
            void Example(string example) { if (examples.Count < MaxExamples) examples.Add(example); }
            var offsetsOf = logs.SelectMany(l => l.Value.Select(r => (Partition: l.Key, r.Offset, r.Message)))
                .GroupBy(r => (r.Partition, r.Message)).ToDictionary(g => g.Key, g => g.Select(r => r.Offset).ToList());

            int duplicated = 0;
            foreach (var ((partition, payload), offsets) in offsetsOf.Where(o => o.Value.Count > 1))
            {
                duplicated++;
                Example($"duplicated: {payload} stored in partition {partition} at {string.Join(", ", offsets)}");
            }
            int lost = 0, misplaced = 0;
            foreach (var ack in acks)
            {
                if (!offsetsOf.TryGetValue((ack.Partition, ack.Payload), out var offsets))
                {
                    lost++;
                    Example($"lost: {ack.Payload} acknowledged at offset {ack.Offset} of partition {ack.Partition} ({Seconds(ack.At)} into the load), stored nowhere");
                }
                else if (!offsets.Contains(ack.Offset))
                {
                    misplaced++;
                    Example($"misplaced: {ack.Payload} acknowledged at offset {ack.Offset} of partition {ack.Partition}, stored at {string.Join(", ", offsets)}");
                }
            }
            int reused = 0;
            foreach (var shared in acks.GroupBy(a => (a.Partition, a.Offset)).Where(g => g.Select(a => a.Payload).Distinct().Count() > 1))
            {
                reused++;
                Example($"offset reused: offset {shared.Key.Offset} of partition {shared.Key.Partition} acknowledged for {string.Join(", ", shared.Select(a => a.Payload))}");
            }
            int reordered = 0;
            foreach (var producer in acks.GroupBy(a => a.Producer))
            {
                (long Offset, string Payload)? previous = null;
                foreach (var ack in producer.OrderBy(a => a.Number))
                {
                    if (!offsetsOf.TryGetValue((ack.Partition, ack.Payload), out var offsets)) continue; // lost: counted above
                    if (previous is { } p && offsets[0] < p.Offset)
                    {
                        reordered++;
                        Example($"reordered: {ack.Payload} stored at {offsets[0]}, before {p.Payload} (sent earlier) at {p.Offset}");
                    }
                    previous = (offsets[0], ack.Payload);
                }
            }
            return new Verdict(acks.Count, logs.Sum(l => l.Value.Count), lost, misplaced, duplicated, reordered, reused, examples);
        }
    }

    // ---- the load ----

    /// <summary>
    /// Producers through <see cref="ClusterClient"/> (idempotent, acks=all), two per partition, each with a client of its
    /// own (so a producer id of its own), writing numbered payloads "p{producer}-{number}" in batches of 1 to 3 with up to
    /// 3 batches in flight: ordering across retries and failovers is the client's and the brokers' to keep. Every
    /// acknowledged message is recorded with the time its acknowledgement came; every failure is counted by its code.
    /// </summary>
    private sealed class Load
    {
        private const int ProducersPerPartition = 2;
        private const int MaxInFlight = 3; // the client keeps order with up to 5 per partition
        private const int MaxBatches = 100_000; // per producer: bounds the loop should the stop never come
        private const int MaxFailuresKept = 10;
        private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(60); // the client's retries end within 30 s

        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private readonly CancellationTokenSource _stop = new();
        private readonly ConcurrentQueue<Ack> _acks = new();
        private readonly ConcurrentDictionary<string, int> _failures = new();
        private readonly ConcurrentQueue<string> _firstFailures = new();
        private readonly Task[] _producers;

        private Load(IReadOnlyList<BrokerAddress> bootstrap) =>
            _producers = [.. Enumerable.Range(0, Partitions * ProducersPerPartition).Select(p => Task.Run(() => ProduceAsync(bootstrap, p)))];

        public static Load Start(IReadOnlyList<BrokerAddress> bootstrap) => new(bootstrap);

        /// <summary>Time since the load started, the clock of every <see cref="Ack.At"/>.</summary>
        public TimeSpan Elapsed => _clock.Elapsed;

        /// <summary>The first few failures in full: when, where, and what the client said.</summary>
        public IEnumerable<string> FirstFailures => _firstFailures;

        public string Failures => _failures.IsEmpty ? "none" : string.Join(", ", _failures.OrderBy(f => f.Key).Select(f => $"{f.Key}={f.Value}"));

        /// <summary>Waits until every partition has <paramref name="perPartition"/> messages acknowledged after <paramref name="since"/>.</summary>
        public async Task WaitForAcksAsync(TimeSpan since, int perPartition, TimeSpan timeout)
        {
            var waited = Stopwatch.StartNew();
            int[] Counts() => [.. Enumerable.Range(0, Partitions).Select(p => _acks.Count(a => a.Partition == p && a.At > since))];
            while (Counts().Any(c => c < perPartition))
            {
                if (waited.Elapsed > timeout)
                    throw new TimeoutException($"acknowledged per partition since {Seconds(since)}: {string.Join(", ", Counts())} after {Seconds(timeout)}; failures: {Failures}");
                if (_producers.FirstOrDefault(t => t.IsFaulted) is { } failed) await failed; // a producer that could not even connect
                await Task.Delay(100);
            }
        }

        /// <summary>Sends nothing more, waits for what is in flight, and returns every acknowledgement.</summary>
        public async Task<IReadOnlyList<Ack>> StopAsync()
        {
            _stop.Cancel();
            await Task.WhenAll(_producers).WaitAsync(DrainTimeout);
            return [.. _acks];
        }

        private async Task ProduceAsync(IReadOnlyList<BrokerAddress> bootstrap, int producer)
        {
            int partition = producer % Partitions;
            await using var client = await ClusterClient.ConnectAsync(bootstrap);
            var inFlight = new List<Task>();
            long number = 0;
            for (int batch = 0; batch < MaxBatches && !_stop.IsCancellationRequested; batch++)
            {
                var payloads = Enumerable.Range(0, batch % 3 + 1).Select(i => $"p{producer}-{number + i}").ToList();
                inFlight.Add(SendAsync(client, producer, partition, number, payloads));
                number += payloads.Count;
                // the first batch alone: the client asks for its producer id then, and later batches take their sequence
                // numbers as they are sent, so the numbers here are the order the broker must keep
                if (batch == 0 || inFlight.Count >= MaxInFlight)
                {
                    await Task.WhenAny(inFlight);
                    inFlight.RemoveAll(t => t.IsCompleted);
                }
            }
            await Task.WhenAll(inFlight);
        }

        private async Task SendAsync(ClusterClient client, int producer, int partition, long number, List<string> payloads)
        {
            var sentAt = _clock.Elapsed;
            try
            {
                var stored = await client.ProduceAsync(Topic, partition, [.. payloads.Select(p => (ReadOnlyMemory<byte>)Encoding.UTF8.GetBytes(p))]);
                var at = _clock.Elapsed;
                for (int i = 0; i < payloads.Count; i++) _acks.Enqueue(new Ack(producer, number + i, partition, stored.BaseOffset + i, payloads[i], sentAt, at));
            }
            catch (Exception e) // not acknowledged: stored or not, either is allowed
            {
                _failures.AddOrUpdate(e is GologException g ? g.Code : e.GetType().Name, 1, (_, n) => n + 1);
                if (_firstFailures.Count < MaxFailuresKept)
                    _firstFailures.Enqueue($"{payloads[0]}..{payloads[^1]} to partition {partition}, sent at {Seconds(sentAt)}, failed at {Seconds(_clock.Elapsed)}: {e.Message}");
            }
        }
    }
}
