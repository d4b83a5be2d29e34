using System.Diagnostics;
using System.Text.Json;
using Golog.Protocol;
using Xunit.Abstractions;

namespace Golog.EndToEnd.Tests;

/// <summary>
/// Committed offsets on a three-node cluster of real broker processes: a group's commits go to its coordinator (found
/// with find_coordinator, followed by hand through not_coordinator and coordinator_loading, with raw framed JSON),
/// the coordinator's node is killed with kill -9, and the node that takes over answers committed with the last
/// acknowledged commit; committed offsets never go back.
/// </summary>
public sealed class GroupCoordinatorFailoverTests(ITestOutputHelper output)
{
    private const string Topic = "orders";
    private const string Group = "billing";
    private const int Commits = 20;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task After_kill_9_of_the_coordinators_node_the_new_coordinator_answers_the_last_acknowledged_commit()
    {
        await using var cluster = await ClusterProcesses.StartAsync();
        try
        {
            await RequestAsync(cluster[1].Port,
                $$"""{"type":"create_topic","id":1,"topic":"{{Topic}}","partitions":1,"replication_factor":{{ClusterProcesses.Nodes.Count}}}""");
            long acknowledged = -1;
            int coordinator = 0;
            for (long offset = 1; offset <= Commits; offset++)
            {
                (coordinator, _) = await AtCoordinatorAsync(cluster, ClusterProcesses.Nodes, Commit(offset));
                acknowledged = offset;
                var (_, committed) = await AtCoordinatorAsync(cluster, ClusterProcesses.Nodes, Committed);
                Assert.Equal(acknowledged, committed.GetProperty("offset").GetInt64()); // never behind what was acknowledged
            }

            await cluster.KillAsync(coordinator);
            var survivors = ClusterProcesses.Nodes.Where(n => n != coordinator).ToList();
            var sinceKill = Stopwatch.StartNew();
            var (successor, afterKill) = await AtCoordinatorAsync(cluster, survivors, Committed);
            output.WriteLine($"kill -9 of node {coordinator} (coordinator of {Group}): node {successor} answered committed after {sinceKill.Elapsed.TotalSeconds:F1} s");
            Assert.NotEqual(coordinator, successor);
            Assert.Equal(acknowledged, afterKill.GetProperty("offset").GetInt64());

            await AtCoordinatorAsync(cluster, survivors, Commit(acknowledged + 1));
            var (_, later) = await AtCoordinatorAsync(cluster, survivors, Committed);
            Assert.Equal(acknowledged + 1, later.GetProperty("offset").GetInt64());
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
    /// find_coordinator at one of <paramref name="nodes"/>, sends there, and on not_coordinator, coordinator_loading,
    /// a coordinator not yet known or a node that does not answer, asks again (bounded). Returns the node that
    /// answered ok and its reply.
    /// </summary>
    private static async Task<(int Node, JsonElement Reply)> AtCoordinatorAsync(ClusterProcesses cluster, IReadOnlyList<int> nodes, string request)
    {
        string last = "nothing";
        for (var waited = Stopwatch.StartNew(); waited.Elapsed < Timeout; await Task.Delay(100))
        {
            int asked = nodes[(int)(waited.ElapsedMilliseconds / 100 % nodes.Count)];
            try
            {
                var found = await RequestAsync(cluster[asked].Port, $$"""{"type":"find_coordinator","id":4,"group":"{{Group}}"}""");
                last = found.ToString();
                if (found.GetProperty("coordinator") is not { ValueKind: JsonValueKind.Object } coordinator) continue; // none yet
                int node = coordinator.GetProperty("node_id").GetInt32();
                if (!nodes.Contains(node)) continue; // the metadata still names the killed node
                var reply = await RequestAsync(coordinator.GetProperty("port").GetInt32(), request);
                last = reply.ToString();
                if (reply.GetProperty("ok").GetBoolean()) return (node, reply);
                string code = reply.GetProperty("error").GetProperty("code").GetString()!;
                Assert.True(code is ErrorCode.NotCoordinator or ErrorCode.CoordinatorLoading, $"{request}: {reply}");
            }
            catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or TimeoutException) { last = e.Message; }
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
