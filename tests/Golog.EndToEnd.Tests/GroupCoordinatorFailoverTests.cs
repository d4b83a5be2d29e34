using System.Diagnostics;
using System.Text.Json;
using Golog.Protocol;
using Xunit.Abstractions;

namespace Golog.EndToEnd.Tests;

/// <summary>
/// Committed offsets on a three-node cluster of real broker processes: a client commits a group's offsets one after
/// the other at its coordinator (found with find_coordinator, followed by hand through not_coordinator and
/// coordinator_loading, with raw framed JSON) and reads them back after each, while the coordinator's node is killed
/// with kill -9. The node that takes over answers committed with at least the last acknowledged commit, and no
/// answer ever goes back.
/// </summary>
public sealed class GroupCoordinatorFailoverTests(ITestOutputHelper output)
{
    private const string Topic = "orders";
    private const string Group = "billing";
    private const int CommitsBeforeKill = 20, CommitsAfterKill = 20;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    /// <summary>A committed offset read back: when, from which node, and the last commit acknowledged before it was asked.</summary>
    private sealed record Reading(TimeSpan At, int Node, long Offset, long Acknowledged);

    [Fact]
    public async Task After_kill_9_of_the_coordinators_node_the_new_coordinator_answers_the_last_acknowledged_commit_and_no_answer_goes_back()
    {
        await using var cluster = await ClusterProcesses.StartAsync();
        var ports = ClusterProcesses.Nodes.ToDictionary(n => n, n => cluster[n].Port); // the client's own list: it keeps the dead node's
        int killed = 0;
        IReadOnlyList<int> Live() => ClusterProcesses.Nodes.Where(n => n != Volatile.Read(ref killed)).ToList();
        try
        {
            await cluster.CreateTopicAsync(Topic, 1, ClusterProcesses.Nodes.Count, Timeout); // known to every node before the first commit
            var clock = Stopwatch.StartNew();
            var readings = new List<Reading>();
            long acknowledged = 0, killedAtAck = 0;
            int coordinator = 0;
            var committing = Task.Run(async () =>
            {
                for (long offset = 1; Volatile.Read(ref killed) == 0 ? offset <= 10_000 : acknowledged < killedAtAck + CommitsAfterKill; offset++)
                {
                    (coordinator, _) = await AtCoordinatorAsync(ports, Live, Commit(offset));
                    Interlocked.Exchange(ref acknowledged, offset);
                    var (node, committed) = await AtCoordinatorAsync(ports, Live, Committed);
                    lock (readings) readings.Add(new Reading(clock.Elapsed, node, committed.GetProperty("offset").GetInt64(), offset));
                }
            });
            while (Interlocked.Read(ref acknowledged) < CommitsBeforeKill && !committing.IsCompleted) await Task.Delay(50);
            if (committing.IsCompleted) await committing; // it failed before the kill: that failure is the finding
            int victim = Volatile.Read(ref coordinator);
            killedAtAck = Interlocked.Read(ref acknowledged);
            await cluster.KillAsync(victim);
            var killedAt = clock.Elapsed;
            Volatile.Write(ref killed, victim);
            await committing.WaitAsync(Timeout);

            lock (readings)
            {
                var successor = readings.First(r => r.At > killedAt && r.Node != victim);
                output.WriteLine($"kill -9 of node {victim} (coordinator of {Group}) after {killedAtAck} acknowledged commits: node {successor.Node} " +
                                 $"answered committed {successor.Offset} after {(successor.At - killedAt).TotalSeconds:F1} s; {readings.Count} readings in all");
                Assert.All(readings, r => Assert.True(r.Offset >= r.Acknowledged, $"node {r.Node} answered {r.Offset} after {r.Acknowledged} was acknowledged"));
                foreach (var (before, after) in readings.Zip(readings.Skip(1)))
                    Assert.True(after.Offset >= before.Offset, $"committed went back from {before.Offset} (node {before.Node}) to {after.Offset} (node {after.Node})");
                Assert.Equal(acknowledged, readings[^1].Offset);
            }
        }
        catch
        {
            output.WriteLine(cluster.Logs());
            throw;
        }
    }

    private static string Commit(long offset) => $$"""{"type":"commit","id":2,"group":"{{Group}}","topic":"{{Topic}}","partition":0,"offset":{{offset}}}""";

    private static readonly string Committed = $$"""{"type":"committed","id":3,"group":"{{Group}}","topic":"{{Topic}}","partition":0}""";

    /// <summary>
    /// Sends <paramref name="request"/> to the group's coordinator as a client following the contract would: asks
    /// find_coordinator at one of the <paramref name="live"/> nodes, sends there, and on not_coordinator,
    /// coordinator_loading, a coordinator not known yet or a node that does not answer, asks again (bounded). Returns
    /// the node that answered ok and its reply.
    /// </summary>
    private static async Task<(int Node, JsonElement Reply)> AtCoordinatorAsync(IReadOnlyDictionary<int, int> ports, Func<IReadOnlyList<int>> live, string request)
    {
        string last = "nothing";
        for (var waited = Stopwatch.StartNew(); waited.Elapsed < Timeout; await Task.Delay(100))
        {
            var nodes = live();
            int asked = nodes[(int)(waited.ElapsedMilliseconds / 100 % nodes.Count)];
            try
            {
                var found = await RequestAsync(ports[asked], $$"""{"type":"find_coordinator","id":4,"group":"{{Group}}"}""");
                last = found.ToString();
                if (found.GetProperty("coordinator") is not { ValueKind: JsonValueKind.Object } coordinator) continue; // none yet
                int node = coordinator.GetProperty("node_id").GetInt32();
                var reply = await RequestAsync(coordinator.GetProperty("port").GetInt32(), request);
                last = reply.ToString();
                if (reply.GetProperty("ok").GetBoolean()) return (node, reply);
                string code = reply.GetProperty("error").GetProperty("code").GetString()!;
                // retriable by the contract: moved, loading, or the offsets partition's ISR not grown to min.insync yet
                Assert.True(code is ErrorCode.NotCoordinator or ErrorCode.CoordinatorLoading or ErrorCode.NotEnoughReplicas, $"{request}: {reply}");
            }
            catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or TimeoutException) { last = e.Message; } // a dead or dying node
        }
        throw new TimeoutException($"no coordinator of {Group} answered {request} within {Timeout.TotalSeconds} s; last: {last}");
    }

    private static async Task<JsonElement> RequestAsync(int port, string request)
    {
        await using var client = await LineClient.ConnectAsync(port);
        using var reply = JsonDocument.Parse(await client.RequestAsync(request));
        return reply.RootElement.Clone();
    }
}
