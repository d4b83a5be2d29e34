using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;
using Golog.Broker.Doors.Http;
using Golog.Client;
using Golog.Harness;
using Golog.Storage.Simulation;

namespace Golog.Broker.SelfTest;

/// <summary>
/// The self-test's rounds: each starts this broker binary as a child process on the storage directory, checks that
/// every message acknowledged so far is at its offset, produces with acknowledgements from two connections and
/// kills the broker with SIGKILL at a random moment. Then the simulated power loss and the disk's fsync latency.
/// </summary>
public sealed class SelfTestRun(int rounds, string? storage, Action<string> print)
{
    private const int Partitions = 2;
    private const int PowerLossSeeds = 300;
    private const int MinAckedPerRound = 20;

    private readonly string _topic = $"selftest-{Guid.NewGuid():N}"[..17]; // its own topic: a given directory may hold others
    private readonly ConcurrentDictionary<(int Partition, long Offset), string> _acked = new();
    private readonly List<double> _recoveryMs = [];
    private readonly List<string> _problems = [];

    public sealed record Report(long Acknowledged, long Verified, long Lost, PowerLossSummary PowerLoss);

    public async Task<Report> RunAsync()
    {
        bool ownStorage = storage is null;
        string dir = storage is null ? Directory.CreateTempSubdirectory("golog-selftest-").FullName : Path.GetFullPath(storage);
        Directory.CreateDirectory(dir);
        print($"golog selftest: {rounds} kill -9 rounds on {dir} ...");
        try
        {
            var random = new Random();
            long verified = 0, lost = 0;
            for (int round = 0; round <= rounds; round++)
            {
                var clock = Stopwatch.StartNew();
                await using var broker = await BrokerProcess.StartAsync(dir);
                if (round > 0) _recoveryMs.Add(clock.Elapsed.TotalMilliseconds);
                await using (var client = await GologClient.ConnectAsync("127.0.0.1", broker.Port))
                {
                    if (round == 0) await client.CreateTopicAsync(_topic, Partitions);
                    else (verified, lost) = await VerifyAsync(client, round);
                }
                if (round == rounds) break; // the last start only verifies
                await LoadUntilKilledAsync(broker, round, random);
            }
            var powerLoss = PowerLossSimulation.Run(PowerLossSimulation.FirstSeed(), PowerLossSeeds);
            var fsync = FsyncLatency.Measure(dir);
            var report = new Report(_acked.Count, verified, lost, powerLoss);
            Print(report, dir, fsync);
            return report;
        }
        finally
        {
            if (ownStorage) Directory.Delete(dir, recursive: true);
        }
    }

    private async Task LoadUntilKilledAsync(BrokerProcess broker, int round, Random random)
    {
        using var stop = new CancellationTokenSource();
        int before = _acked.Count;
        var load = Enumerable.Range(0, 2).Select(p => ProduceAsync(broker.Port, round, p, stop.Token)).ToList();
        // the kill comes at a random moment once some work is acknowledged (bounded: a broker that acknowledges
        // nothing is reported, not waited for)
        for (var armed = Stopwatch.StartNew(); _acked.Count - before < MinAckedPerRound && armed.Elapsed < TimeSpan.FromSeconds(30);)
            await Task.Delay(10);
        await Task.Delay(random.Next(0, 500));
        await broker.KillAsync();
        stop.Cancel();
        await Task.WhenAll(load);
        if (_acked.Count - before < MinAckedPerRound)
            _problems.Add($"round {round}: only {_acked.Count - before} messages acknowledged before the kill");
    }

    private async Task ProduceAsync(int port, int round, int producer, CancellationToken stop)
    {
        try
        {
            await using var client = await GologClient.ConnectAsync("127.0.0.1", port, stop);
            for (int n = 0; !stop.IsCancellationRequested; n++)
            {
                int partition = n % Partitions;
                var payloads = Enumerable.Range(0, 1 + n % 10).Select(i => $"r{round}-p{producer}-n{n}-{i}").ToList();
                var ack = await client.ProduceAsync(_topic, partition, payloads, cancellationToken: stop);
                for (int i = 0; i < payloads.Count; i++) _acked[(partition, ack.BaseOffset + i)] = payloads[i];
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or System.Net.Sockets.SocketException or ObjectDisposedException
                                      or GologException { Code: "broker_shutting_down" })
        {
            // the kill: the request in flight was not acknowledged, so it may or may not be stored
        }
        catch (GologException e)
        {
            lock (_problems) _problems.Add($"round {round}: the broker refused a produce: {e}");
        }
    }

    /// <summary>Reads each partition from its start; every acknowledged message must be at its offset with its bytes.</summary>
    private async Task<(long Verified, long Lost)> VerifyAsync(GologClient client, int round)
    {
        long verified = 0, lost = 0;
        for (int p = 0; p < Partitions; p++)
        {
            var log = new Dictionary<long, string>();
            long next = 0;
            while (true)
            {
                var f = await client.FetchAsync(_topic, p, next, maxMessages: 5000, maxBytes: 4 << 20);
                foreach (var rec in f.Records) { log[rec.Offset] = rec.Message; next = rec.Offset + 1; }
                if (next >= f.HighWatermark || f.Records.Count == 0) break;
            }
            foreach (var ((partition, offset), payload) in _acked.Where(a => a.Key.Partition == p))
            {
                if (log.TryGetValue(offset, out var stored) && stored == payload) { verified++; continue; }
                lost++;
                if (_problems.Count < 20) _problems.Add($"round {round}: LOST acknowledged \"{payload}\" at partition {p} offset {offset}");
            }
        }
        return (verified, lost);
    }

    private void Print(Report report, string dir, FsyncLatency fsync)
    {
        var sorted = _recoveryMs.Order().ToList();
        print("--- golog selftest (paste this into a bug report) ---");
        print($"version: golog-broker {BrokerInfo.Version}");
        print($"os: {RuntimeInformation.OSDescription} {RuntimeInformation.OSArchitecture}, {RuntimeInformation.FrameworkDescription}, {Environment.ProcessorCount} cpus");
        print($"storage: {dir}");
        print($"kill-9: rounds={rounds} acknowledged={report.Acknowledged} verified={report.Verified} lost={report.Lost}");
        print(sorted.Count == 0 ? "recovery-ms: none" : $"recovery-ms: median={sorted[sorted.Count / 2]:F0} max={sorted[^1]:F0}");
        print($"fsync-ms: n={fsync.Count} p50={fsync.P50Ms:F2} p99={fsync.P99Ms:F2}");
        print(report.PowerLoss.Line);
        foreach (var problem in _problems.Concat(report.PowerLoss.Failures)) print($"problem: {problem}");
        print(report.Lost == 0 && report.PowerLoss.Ok ? "result: PASS" : "result: FAIL");
    }
}
