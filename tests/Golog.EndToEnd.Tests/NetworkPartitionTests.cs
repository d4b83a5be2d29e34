using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Golog.Client;
using Golog.Protocol;
using Golog.Storage;
using Xunit.Abstractions;

namespace Golog.EndToEnd.Tests;

/// <summary>
/// A real network partition between three real broker processes, each in a network namespace of its own
/// (<see cref="NetworkNamespaces"/>): the leader of a partition is cut off from its two followers while the test
/// still reaches it. Writes sent to it with acks=all must not be acknowledged; the majority elects a new leader and
/// a <see cref="ClusterClient"/> writing through it succeeds. After the heal (and a restart of the old leader, which
/// the Split Brain Resolver downed, and of any node it downs while the cluster forms again, as a supervisor would), every acknowledged write is on the leader exactly once at its offset, and the
/// three copies on disk are byte for byte the same. Skipped, saying why, where namespaces cannot be made (not root).
/// </summary>
public sealed class NetworkPartitionTests(ITestOutputHelper output)
{
    private const string Topic = "p";
    private const int ClusterPort = 2551;
    // golog.cluster.failure-timeout's default: from then on the cut-off leader must not acknowledge anything
    private static readonly TimeSpan FailureTimeout = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(15); // more than golog.cluster.ack-timeout (10 s)
    private const int MaxRestartsAfterHeal = 3;

    /// <summary>One produce of one unique payload, and how it was answered (times from the test's start).</summary>
    private sealed class Write(string payload, bool toOldLeader, TimeSpan sentAt)
    {
        public string Payload { get; } = payload;
        public bool ToOldLeader { get; } = toOldLeader;
        public TimeSpan SentAt { get; } = sentAt;
        public TimeSpan? AnsweredAt { get; set; }
        public long? Offset { get; set; }
        public string? Error { get; set; }
    }

    private readonly Stopwatch _clock = new();
    private readonly List<Write> _writes = []; // lock: itself

    private void Log(string line) => output.WriteLine($"[{_clock.Elapsed.TotalSeconds,6:F2} s, {DateTime.Now:HH:mm:ss.fff}] {line}");

    [SkippableFact]
    public async Task A_leader_cut_off_from_its_followers_acknowledges_nothing_while_the_majority_carries_on_and_no_acknowledged_write_is_lost_or_duplicated()
    {
        using var network = NetworkNamespaces.TryCreate(3, out string whyNot);
        Skip.If(network is null, whyNot);
        _clock.Start();
        var storages = new[] { new TempStorage(), new TempStorage(), new TempStorage() };
        var brokers = new BrokerProcess?[4]; // by node id, 1 to 3
        try
        {
            await RunScenarioAsync(network, storages, brokers);
        }
        finally
        {
            for (int node = 1; node <= 3; node++)
                if (brokers[node] is { } broker)
                {
                    output.WriteLine($"---- node {node}, {(broker.HasExited ? "exited" : "still running")} at the end; its log ----\n{Tail(broker.Log, 80)}");
                    await broker.DisposeAsync();
                }
            foreach (var storage in storages) storage.Dispose();
        }
    }

    private async Task RunScenarioAsync(NetworkNamespaces network, TempStorage[] storages, BrokerProcess?[] brokers)
    {
        string Seeds(IEnumerable<int> nodes) => string.Join(",", nodes.Select(n => $"{network.Host(n)}:{ClusterPort}"));
        Task<BrokerProcess> Start(int node, string seeds) => BrokerProcess.StartWithCommandPrefixAsync(storages[node - 1].Path, network.ExecPrefix(node),
            "--node-id", node.ToString(), "--cluster-host", network.Host(node), "--cluster-port", ClusterPort.ToString(),
            "--host", network.Host(node), "--seed-nodes", seeds);
        BrokerAddress Address(int node) => new(network.Host(node), brokers[node]!.Port);

        // ---- three nodes, one topic of one partition on all three ----
        var starting = Enumerable.Range(1, 3).Select(n => Start(n, Seeds([1, 2, 3]))).ToArray();
        try { await Task.WhenAll(starting); }
        finally { for (int n = 1; n <= 3; n++) if (starting[n - 1].IsCompletedSuccessfully) brokers[n] = starting[n - 1].Result; }
        Log($"3 nodes listening at {string.Join(", ", Enumerable.Range(1, 3).Select(n => Address(n)))}");

        string created = "";
        var deadline = _clock.Elapsed + TimeSpan.FromSeconds(30);
        for (int attempt = 0; attempt < 100 && _clock.Elapsed < deadline; attempt++)
        {
            try
            {
                created = await RawRequestAsync(Address(1),
                    $$"""{"type":"create_topic","id":1,"topic":"{{Topic}}","partitions":1,"replication_factor":3}""", TimeSpan.FromSeconds(5));
                if (created.Contains("\"ok\":true") || created.Contains("topic_already_exists")) break;
            }
            catch (Exception e) when (e is IOException or SocketException or TimeoutException) { created = e.Message; }
            await Task.Delay(300);
        }
        Assert.True(created.Contains("\"ok\":true") || created.Contains("topic_already_exists"), $"create_topic: {created}");
        var ready = await WaitForPartitionAsync(Address(1), p => p.Leader is not null && p.Isr?.Count == 3, TimeSpan.FromSeconds(30));
        Assert.True(ready is not null, "partition 0 did not get a leader and three in-sync replicas within 30 s");
        // every node sees all three Up: a cut before membership has converged can leave a node counting two members,
        // and keep-majority then downs the wrong side (Akka's rule for a tie)
        deadline = _clock.Elapsed + TimeSpan.FromSeconds(20);
        bool converged = false;
        for (int i = 0; i < 100 && !converged && _clock.Elapsed < deadline; i++)
        {
            converged = true;
            for (int n = 1; n <= 3 && converged; n++)
                converged = await TryMetadataAsync(Address(n), TimeSpan.FromSeconds(2)) is { } m
                            && m.Brokers?.Count(b => b.Status == BrokerStatus.Up) == 3
                            && m.Partitions.Any(p => p.Topic == Topic && p.Partition.Isr?.Count == 3);
            if (!converged) await Task.Delay(200);
        }
        Assert.True(converged, "the three nodes did not all see each other up, with partition 0 fully in sync, within 20 s");
        int oldLeader = ready.Leader!.Value;
        int[] majority = [.. Enumerable.Range(1, 3).Where(n => n != oldLeader)];
        Log($"topic {Topic}: leader node {oldLeader}, epoch {ready.LeaderEpoch}, ISR [{string.Join(",", ready.Isr!)}]; partitioning node {oldLeader} off");

        // ---- producers: straight to the old leader, and a cluster client bootstrapped from the majority ----
        using var stopProducing = new CancellationTokenSource();
        var toOldLeader = Enumerable.Range(0, 3).Select(slot => ProduceToOldLeaderAsync(Address(oldLeader), slot, stopProducing.Token)).ToList();
        var clusterOptions = new ClusterClientOptions
        {
            Retry = new RetryPolicy(MaxAttempts: 50, FirstBackoff: TimeSpan.FromMilliseconds(100), MaxBackoff: TimeSpan.FromMilliseconds(500),
                MaxTotal: TimeSpan.FromSeconds(12)),
        };
        await using var cluster = await ClusterClient.ConnectAsync([.. majority.Select(Address)], clusterOptions);
        var throughMajority = ProduceThroughClusterAsync(cluster, stopProducing.Token);
        await using var stopsProducers = new StopOnExit(stopProducing, [.. toOldLeader, throughMajority]); // also when a check below throws

        // both write before the cut
        deadline = _clock.Elapsed + TimeSpan.FromSeconds(15);
        for (int i = 0; i < 300 && _clock.Elapsed < deadline && (Acked(toOldLeader: true) < 5 || Acked(toOldLeader: false) < 5); i++) await Task.Delay(50);
        Assert.True(Acked(toOldLeader: true) >= 5 && Acked(toOldLeader: false) >= 5,
            $"before the partition, too few acknowledged writes: {Acked(true)} to the leader, {Acked(false)} through the cluster client\n{Summary()}");

        // ---- the partition ----
        network.Isolate(oldLeader);
        var partitionedAt = _clock.Elapsed;
        Log($"node {oldLeader} cut off from nodes {string.Join(",", majority)} ({Acked(true)} + {Acked(false)} writes acknowledged before)");

        TimeSpan? electedAt = null;
        PartitionMetadata? elected = null;
        string? oldLeaderView = null;
        var oldLeaderViews = new List<string>();
        deadline = partitionedAt + TimeSpan.FromSeconds(25);
        for (int i = 0; i < 500 && _clock.Elapsed < deadline; i++)
        {
            // what the cut-off node tells clients: it has no majority, so nothing it says about the ISR may have changed
            if (!brokers[oldLeader]!.HasExited && await TryPartitionAsync(Address(oldLeader), TimeSpan.FromSeconds(1)) is { } view
                && $"leader {view.Leader?.ToString() ?? "none"}, epoch {view.LeaderEpoch}, ISR [{string.Join(",", view.Isr ?? [])}]" is var seen && seen != oldLeaderView)
            {
                Log($"the cut-off node {oldLeader} says: {seen}");
                oldLeaderView = seen;
                oldLeaderViews.Add($"{_clock.Elapsed.TotalSeconds:F3} s: {seen}");
            }
            if (electedAt is null)
            {
                elected = await TryPartitionAsync(Address(majority[0]), TimeSpan.FromSeconds(2));
                if (elected?.Leader is { } l && l != oldLeader)
                {
                    electedAt = _clock.Elapsed;
                    Log($"majority side: new leader node {l}, epoch {elected.LeaderEpoch}, ISR [{string.Join(",", elected.Isr ?? [])}], "
                        + $"{(electedAt.Value - partitionedAt).TotalSeconds:F1} s after the cut");
                }
            }
            // long enough for the Split Brain Resolver to have downed the old leader, and the new leader to have taken writes
            if (electedAt is { } at && _clock.Elapsed > partitionedAt + FailureTimeout * 4 && AckedSince(at) >= 10) break;
            await Task.Delay(200);
        }
        Log($"the cut-off node {oldLeader} {(brokers[oldLeader]!.HasExited ? "has exited" : "still runs")}");
        stopProducing.Cancel();

        // ---- heal, and bring the old leader back as a new incarnation if it is not a member any more ----
        network.Heal();
        var healedAt = _clock.Elapsed;
        Log($"healed, {(healedAt - partitionedAt).TotalSeconds:F1} s after the cut");
        await BringBackAsync(oldLeader, brokers, () => Start(oldLeader, Seeds(majority)), Address(majority[0]));

        PartitionMetadata? full = null, lastSeen = null;
        deadline = _clock.Elapsed + TimeSpan.FromSeconds(30);
        int restarts = 0;
        for (int i = 0; i < 300 && full is null && _clock.Elapsed < deadline; i++)
        {
            // a node the Split Brain Resolver downs while the cluster forms again exits (code 3); a supervisor restarts
            // it, and so does the test (seen under the suite's load: a peer marked the restarted node unreachable
            // seconds after it joined, and both were downed); what is acknowledged must survive that too
            for (int n = 1; n <= 3 && restarts < MaxRestartsAfterHeal; n++)
            {
                if (!brokers[n]!.HasExited) continue;
                restarts++;
                Log($"node {n} has exited after the heal (downed by the Split Brain Resolver); restarting it, as a supervisor would");
                output.WriteLine($"---- node {n}'s log before that restart (last lines) ----\n{Tail(brokers[n]!.Log, 60)}");
                await brokers[n]!.DisposeAsync();
                brokers[n] = null;
                brokers[n] = await Start(n, Seeds(Enumerable.Range(1, 3).Where(other => other != n)));
                deadline = _clock.Elapsed + TimeSpan.FromSeconds(30);
            }
            foreach (int n in majority.Where(n => !brokers[n]!.HasExited)) // the majority's view: the restarted node may still have old metadata
                if ((lastSeen = await TryPartitionAsync(Address(n), TimeSpan.FromSeconds(2)) ?? lastSeen) is { Leader: not null, Isr.Count: 3 } p) { full = p; break; }
            if (full is null) await Task.Delay(200);
        }
        Assert.True(full is not null, $"the ISR did not grow back to 3 within 30 s of the heal (or of the last of {restarts} restarts after it); last seen: leader {lastSeen?.Leader}, epoch {lastSeen?.LeaderEpoch}, "
            + $"ISR [{string.Join(",", lastSeen?.Isr ?? [])}]; exited: [{string.Join(",", Enumerable.Range(1, 3).Where(n => brokers[n]!.HasExited))}] (their logs follow)");
        Log($"ISR full again: leader node {full.Leader}, epoch {full.LeaderEpoch}, ISR [{string.Join(",", full.Isr!)}], "
            + $"{(_clock.Elapsed - healedAt).TotalSeconds:F1} s after the heal");

        // every produce has been answered by now (or gives up within its own bound)
        await Task.WhenAll([.. toOldLeader, throughMajority]).WaitAsync(RequestTimeout + TimeSpan.FromSeconds(5));

        // ---- what the leader serves ----
        int leader = full.Leader!.Value;
        var log = await FetchAllAsync(Address(leader));
        var acked = Snapshot().Where(w => w.Offset is not null).ToList();
        var byOffset = new Dictionary<long, string>();
        foreach (var (offset, message) in log) byOffset[offset] = message;
        var lost = acked.Where(w => !byOffset.TryGetValue(w.Offset!.Value, out var m) || m != w.Payload).ToList();
        var duplicated = log.GroupBy(r => r.Message).Where(g => g.Count() > 1).ToList();
        var lateOldLeaderAcks = acked.Where(w => w.ToOldLeader && w.SentAt >= partitionedAt + FailureTimeout).ToList();
        var ackedByOldLeaderAfterCut = acked.Where(w => w.ToOldLeader && w.AnsweredAt >= partitionedAt).ToList();
        var unackedStored = Snapshot().Where(w => w.Offset is null && log.Any(r => r.Message == w.Payload)).ToList();

        output.WriteLine(Summary());
        Log($"leader node {leader} serves {log.Count} records; acked={acked.Count} lost={lost.Count} duplicated={duplicated.Count}; "
            + $"acked by the old leader after the cut: {ackedByOldLeaderAfterCut.Count} (missing: {ackedByOldLeaderAfterCut.Count(lost.Contains)}); "
            + $"acked by the old leader for writes sent {FailureTimeout.TotalSeconds:F0} s or more after the cut: {lateOldLeaderAcks.Count}; "
            + $"unacknowledged writes that are stored anyway: {unackedStored.Count}");

        // every violation is collected, so that one run reports all of them (the copies on disk too)
        var violations = new List<string>();
        void Check(bool ok, Func<string> why) { if (!ok) violations.Add(why()); }
        Check(lateOldLeaderAcks.Count == 0, () => $"the cut-off leader acknowledged writes sent {FailureTimeout.TotalSeconds:F0} s or more after the cut:\n"
            + string.Join("\n", lateOldLeaderAcks.Select(Describe)));
        var unexpected = Snapshot().Where(w => w.ToOldLeader && w.SentAt >= partitionedAt && w.Error is { } e && !IsExpectedRefusal(e)).ToList();
        Check(unexpected.Count == 0, () => "the cut-off leader refused writes otherwise than with not_enough_replicas, not_leader, a timeout or a lost connection:\n"
            + string.Join("\n", unexpected.Select(Describe)));
        Check(electedAt is not null, () => "the majority side did not elect a new leader within 25 s of the cut");
        Check(electedAt is { } e1 && AckedSince(e1) >= 10, () => $"the cluster client got only {(electedAt is { } e2 ? AckedSince(e2) : 0)} writes acknowledged after the new leader was elected");
        Check(lost.Count == 0, () => $"{lost.Count} acknowledged writes are missing from leader node {leader} (or not at their offset); the cut at "
            + $"{partitionedAt.TotalSeconds:F3} s; what the cut-off node said meanwhile:\n  {string.Join("\n  ", oldLeaderViews)}\n"
            + string.Join("\n", lost.Select(Describe)));
        Check(duplicated.Count == 0, () => "payloads stored more than once:\n" + string.Join("\n", duplicated.Select(g => $"{g.Key} at {string.Join(",", g.Select(r => r.Offset))}")));
        Check(log.Select(r => r.Offset).SequenceEqual(Enumerable.Range(0, log.Count).Select(i => (long)i)), () => "the leader's offsets are not 0, 1, 2, ... without gaps");

        // ---- a clean stop of every node, and the three copies on disk ----
        await WaitForSameHighWatermarkAsync([.. Enumerable.Range(1, 3).Select(Address)], log.Count, TimeSpan.FromSeconds(15));
        foreach (int node in Enumerable.Range(1, 3).Where(n => n != leader).Append(leader)) // the leader last: no new election meanwhile
        {
            var stopping = Stopwatch.StartNew();
            int exit = await brokers[node]!.StopAsync(TimeSpan.FromSeconds(30));
            Log($"node {node} stopped with exit code {exit} in {stopping.Elapsed.TotalSeconds:F1} s");
            Check(exit == 0, () => $"node {node} exited with {exit} on SIGTERM:\n{Tail(brokers[node]!.Log, 60)}");
        }
        var copies = Enumerable.Range(1, 3).Select(n => ReadCopy(StorageLayout.PartitionDirectory(storages[n - 1].Path, Topic, 0))).ToList();
        for (int n = 1; n <= 3; n++)
            Log($"node {n} on disk: offsets {copies[n - 1].Start}..{copies[n - 1].End}, {copies[n - 1].Bytes.Length} bytes, "
                + $"epochs {string.Join(" ", copies[n - 1].Epochs.Select(e => $"{e.Epoch}@{e.StartOffset}"))}");
        for (int n = 2; n <= 3; n++)
        {
            var (a, b) = (copies[0], copies[n - 1]);
            Check((a.Start, a.End) == (b.Start, b.End), () => $"node {n}'s copy holds offsets {b.Start}..{b.End}, node 1's {a.Start}..{a.End}");
            Check(a.Bytes.AsSpan().SequenceEqual(b.Bytes), () => $"node {n}'s copy differs from node 1's ({b.Bytes.Length} and {a.Bytes.Length} bytes)");
            Check(a.Epochs.SequenceEqual(b.Epochs), () => $"node {n}'s leader epochs differ from node 1's");
        }
        Check(copies[0].End == log.Count, () => $"the copies end at offset {copies[0].End}, the leader served {log.Count} records");
        Log($"done: acked={acked.Count}, lost={lost.Count}, duplicated={duplicated.Count}; the three copies are "
            + (copies.Skip(1).All(c => c.Bytes.AsSpan().SequenceEqual(copies[0].Bytes)) ? "identical" : "NOT identical"));
        Assert.True(violations.Count == 0, string.Join("\n\n", violations));
    }

    // ---- producers ----

    /// <summary>One of the producers straight to the old leader: acks=all, one produce at a time, reconnecting when the connection breaks.</summary>
    private async Task ProduceToOldLeaderAsync(BrokerAddress address, int slot, CancellationToken stop)
    {
        GologClient? client = null;
        try
        {
            for (int i = 0; i < 100_000 && !stop.IsCancellationRequested; i++)
            {
                var write = Record(new Write($"old-leader-{slot}-{i}", toOldLeader: true, _clock.Elapsed));
                try
                {
                    using var timeout = new CancellationTokenSource(RequestTimeout);
                    client ??= await GologClient.ConnectAsync(address, timeout.Token);
                    var result = await client.ProduceAsync(Topic, 0, write.Payload).WaitAsync(timeout.Token); // acks=all, the default
                    Answer(write, result.BaseOffset, null);
                }
                catch (Exception e) when (e is GologException or BrokerUnavailableException or IOException or SocketException or OperationCanceledException or ObjectDisposedException)
                {
                    Answer(write, null, Classify(e));
                    if (client is { IsConnected: false } || e is not GologException)
                    {
                        if (client is not null) await client.DisposeAsync();
                        client = null;
                    }
                    await Task.Delay(e is GologException ? 50 : 200, CancellationToken.None); // a refusal comes back at once
                }
            }
        }
        finally
        {
            if (client is not null) await client.DisposeAsync();
        }
    }

    /// <summary>The producer through the cluster client (idempotent, acks=all): one batch at a time, following the leader.</summary>
    private async Task ProduceThroughClusterAsync(ClusterClient cluster, CancellationToken stop)
    {
        for (int i = 0; i < 100_000 && !stop.IsCancellationRequested; i++)
        {
            var write = Record(new Write($"cluster-{i}", toOldLeader: false, _clock.Elapsed));
            try
            {
                using var timeout = new CancellationTokenSource(RequestTimeout);
                var result = await cluster.ProduceAsync(Topic, 0, write.Payload, cancellationToken: timeout.Token);
                Answer(write, result.BaseOffset, null);
            }
            catch (Exception e) when (e is GologException or BrokerUnavailableException or IOException or SocketException or OperationCanceledException)
            {
                Answer(write, null, Classify(e));
                await Task.Delay(100, CancellationToken.None);
            }
        }
    }

    private static string Classify(Exception e) => e switch
    {
        GologException g => g.Code,
        OperationCanceledException or TimeoutException => "timeout",
        _ => $"connection: {e.GetType().Name}: {e.Message}",
    };

    private static bool IsExpectedRefusal(string error) =>
        error is ErrorCode.NotEnoughReplicas or ErrorCode.NotLeader or "timeout" or ErrorCode.BrokerShuttingDown || error.StartsWith("connection: ", StringComparison.Ordinal);

    private Write Record(Write write)
    {
        lock (_writes) _writes.Add(write);
        return write;
    }

    private void Answer(Write write, long? offset, string? error)
    {
        lock (_writes)
        {
            write.AnsweredAt = _clock.Elapsed;
            write.Offset = offset;
            write.Error = error;
        }
    }

    private List<Write> Snapshot() { lock (_writes) return [.. _writes]; }
    private int Acked(bool toOldLeader) => Snapshot().Count(w => w.ToOldLeader == toOldLeader && w.Offset is not null);
    private int AckedSince(TimeSpan at) => Snapshot().Count(w => !w.ToOldLeader && w.Offset is not null && w.SentAt >= at);

    private string Summary()
    {
        var all = Snapshot();
        var text = new StringBuilder("writes by target and outcome:\n");
        foreach (var group in all.GroupBy(w => (w.ToOldLeader, Outcome: w.Offset is not null ? "acknowledged" : w.Error ?? "unanswered")).OrderBy(g => g.Key.ToString()))
        {
            text.Append($"  {(group.Key.ToOldLeader ? "old leader" : "cluster client"),-14} {group.Key.Outcome,-40} {group.Count(),5}  ");
            text.Append($"sent {group.Min(w => w.SentAt).TotalSeconds:F1}-{group.Max(w => w.SentAt).TotalSeconds:F1} s\n");
        }
        return text.ToString();
    }

    private static string Describe(Write w) =>
        $"{w.Payload}: sent {w.SentAt.TotalSeconds:F3} s, answered {w.AnsweredAt?.TotalSeconds:F3} s, offset {w.Offset?.ToString() ?? "-"}, error {w.Error ?? "-"}";

    // ---- the old leader's return ----

    /// <summary>
    /// After the heal: a node the Split Brain Resolver downed cannot rejoin as it is (Akka gives a downed incarnation no
    /// way back). If it shut itself down, it is started again; if it still runs but does not come back in sync within a
    /// few seconds, it is stopped (SIGTERM) and started again, on the same storage, with the others as seeds.
    /// </summary>
    private async Task BringBackAsync(int node, BrokerProcess?[] brokers, Func<Task<BrokerProcess>> restart, BrokerAddress majorityNode)
    {
        var old = brokers[node]!;
        var deadline = _clock.Elapsed + TimeSpan.FromSeconds(6);
        for (int i = 0; i < 60 && !old.HasExited && _clock.Elapsed < deadline; i++)
        {
            var p = await TryPartitionAsync(majorityNode, TimeSpan.FromSeconds(2));
            if (p?.Isr?.Contains(node) == true) { Log($"node {node} is back in the ISR without a restart"); return; }
            await Task.Delay(200);
        }
        if (old.HasExited) Log($"node {node} had shut itself down (downed by the Split Brain Resolver); restarting it");
        else
        {
            Log($"node {node} still runs but is not back in sync; stopping it (SIGTERM) to restart it");
            try { Log($"node {node} stopped with exit code {await old.StopAsync(TimeSpan.FromSeconds(20))}"); }
            catch (OperationCanceledException) { Log($"node {node} did not stop within 20 s of SIGTERM; killing it"); await old.KillAsync(); }
        }
        output.WriteLine($"---- node {node}'s log, first incarnation (last lines) ----\n{Tail(old.Log, 60)}");
        await old.DisposeAsync();
        brokers[node] = null;
        brokers[node] = await restart();
        Log($"node {node} restarted, listening on port {brokers[node]!.Port}");
    }

    // ---- requests ----

    /// <summary>One JSON line to <paramref name="address"/> and its reply line, for requests GologClient has no method for.</summary>
    private static async Task<string> RawRequestAsync(BrokerAddress address, string line, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            using var tcp = new TcpClient();
            await tcp.ConnectAsync(address.Host, address.Port, cts.Token);
            var stream = tcp.GetStream();
            await stream.WriteAsync(Encoding.UTF8.GetBytes(line + "\n"), cts.Token);
            using var reader = new StreamReader(stream, new UTF8Encoding(false));
            return await reader.ReadLineAsync(cts.Token) ?? throw new IOException("connection closed by the broker");
        }
        catch (OperationCanceledException) { throw new TimeoutException($"no reply from {address} within {timeout.TotalSeconds} s"); }
    }

    /// <summary>Partition 0 as <paramref name="address"/> describes it; null when it does not answer in time.</summary>
    private static async Task<PartitionMetadata?> TryPartitionAsync(BrokerAddress address, TimeSpan timeout) =>
        (await TryMetadataAsync(address, timeout))?.Partitions.Where(p => p.Topic == Topic && p.Partition.Partition == 0).Select(p => p.Partition).FirstOrDefault();

    /// <summary>The metadata of the topic as <paramref name="address"/> has it; null when it does not answer in time.</summary>
    private static async Task<ClusterMetadata?> TryMetadataAsync(BrokerAddress address, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await using var client = await GologClient.ConnectAsync(address, cts.Token);
            return await client.ClusterMetadataAsync(Topic, cts.Token).WaitAsync(cts.Token);
        }
        catch (Exception e) when (e is GologException or BrokerUnavailableException or IOException or SocketException or OperationCanceledException)
        {
            return null;
        }
    }

    private static async Task<PartitionMetadata?> WaitForPartitionAsync(BrokerAddress address, Func<PartitionMetadata, bool> condition, TimeSpan within)
    {
        var waited = Stopwatch.StartNew();
        for (int i = 0; i < 1000 && waited.Elapsed < within; i++)
        {
            if (await TryPartitionAsync(address, TimeSpan.FromSeconds(2)) is { } p && condition(p)) return p;
            await Task.Delay(200);
        }
        return null;
    }

    /// <summary>Waits (bounded) until every node reports <paramref name="highWatermark"/> for the partition: the followers have it all.</summary>
    private async Task WaitForSameHighWatermarkAsync(BrokerAddress[] nodes, long highWatermark, TimeSpan within)
    {
        var waited = Stopwatch.StartNew();
        long?[] seen = new long?[nodes.Length];
        for (int i = 0; i < 1000 && waited.Elapsed < within; i++)
        {
            for (int n = 0; n < nodes.Length; n++) seen[n] = (await TryPartitionAsync(nodes[n], TimeSpan.FromSeconds(2)))?.HighWatermark;
            if (seen.All(hw => hw == highWatermark)) { Log($"every node reports high watermark {highWatermark}"); return; }
            await Task.Delay(200);
        }
        Log($"the nodes report high watermarks {string.Join(", ", seen.Select(hw => hw?.ToString() ?? "none"))}, not all {highWatermark}; comparing the copies anyway");
    }

    private static async Task<List<(long Offset, string Message)>> FetchAllAsync(BrokerAddress leader)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var client = await GologClient.ConnectAsync(leader, cts.Token);
        var records = new List<(long, string)>();
        long next = 0;
        for (int i = 0; i < 10_000; i++)
        {
            var fetched = await client.FetchAsync(Topic, 0, next, maxMessages: 1000, cancellationToken: cts.Token).WaitAsync(cts.Token);
            if (fetched.Records.Count == 0) break;
            records.AddRange(fetched.Records.Select(r => (r.Offset, r.Message)));
            next = fetched.Records[^1].Offset + 1;
            if (next >= fetched.HighWatermark) break;
        }
        return records;
    }

    // ---- the copies on disk ----

    private sealed record Copy(long Start, long End, byte[] Bytes, IReadOnlyList<EpochEntry> Epochs);

    /// <summary>A stopped node's copy of the partition: every batch's bytes as stored (leader epochs, producer ids included) and the epoch checkpoint.</summary>
    private static Copy ReadCopy(string directory)
    {
        Assert.True(Directory.Exists(directory), $"no partition directory {directory}");
        using var log = PartitionLog.Open(directory, new LogConfig(), cleanShutdown: false, Serilog.Core.Logger.None);
        var bytes = new MemoryStream();
        long next = log.LogStartOffset;
        for (int reads = 0; reads < 100_000 && next < log.LogEndOffset; reads++)
        {
            var read = log.ReadForReplica(next, 1 << 20);
            if (read.Length == 0) break;
            int position = 0;
            while (position < read.Length && RecordBatchReader.Validate(read.Bytes[position..], int.MaxValue, out var batch) == BatchStatus.Ok)
            {
                bytes.Write(read.Bytes.Slice(position, batch.Size));
                position += batch.Size;
                next = batch.NextOffset;
            }
            if (position == 0) break;
        }
        Assert.True(next == log.LogEndOffset, $"{directory}: read up to offset {next}, but the log ends at {log.LogEndOffset}");
        return new Copy(log.LogStartOffset, log.LogEndOffset, bytes.ToArray(), [.. log.LeaderEpochs]);
    }

    /// <summary>Stops the producers and waits (bounded) for them, so that none outlives the test.</summary>
    private sealed class StopOnExit(CancellationTokenSource stop, Task[] producers) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            stop.Cancel();
            try { await Task.WhenAll(producers).WaitAsync(RequestTimeout + TimeSpan.FromSeconds(5)); }
            catch (TimeoutException) { } // each produce is bounded by its own timeout; the test has failed already
        }
    }

    private static string Tail(string text, int lines)
    {
        var all = text.Split('\n');
        return string.Join('\n', all.Skip(Math.Max(0, all.Length - lines)));
    }
}
