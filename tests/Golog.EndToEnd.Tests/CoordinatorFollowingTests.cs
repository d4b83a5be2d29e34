using System.Text.Json;
using Golog.Client;
using Golog.Protocol;
using static Golog.EndToEnd.Tests.JsonLinesPeer;

namespace Golog.EndToEnd.Tests;

/// <summary>
/// <see cref="GroupCoordinator"/> (what <see cref="GroupSession"/> and the consumer console use) against real
/// listeners: JSON-lines peers standing in for cluster nodes, which answer find_coordinator, not_coordinator and
/// coordinator_loading as the contract says and pass every other request to one real broker. Commits must end up at
/// the broker however the coordinator moved, and a node that does not know find_coordinator is the coordinator.
/// </summary>
public sealed class CoordinatorFollowingTests
{
    private const string Group = "billing";
    private static readonly RetryPolicy Quick = new(10, TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(20));

    /// <summary>One real broker with a topic, and a way for peers to pass it requests one at a time (replies stay matched).</summary>
    private sealed class Backend : IAsyncDisposable
    {
        private readonly SemaphoreSlim _gate = new(1, 1);
        private InProcessBroker _broker = null!;
        private LineClient _line = null!;

        public static async Task<Backend> StartAsync()
        {
            var backend = new Backend { _broker = await InProcessBroker.StartAsync() };
            backend._line = await LineClient.ConnectAsync(backend._broker.Port);
            await backend.ForwardAsync("""{"type":"create_topic","id":0,"topic":"orders","partitions":1}""");
            return backend;
        }

        public async Task<string?> ForwardAsync(string line)
        {
            await _gate.WaitAsync();
            try { return await _line.RequestAsync(line); } finally { _gate.Release(); }
        }

        /// <summary>The group's committed offset as the broker holds it.</summary>
        public async Task<long?> CommittedAsync()
        {
            var reply = JsonDocument.Parse((await ForwardAsync($$"""{"type":"committed","id":98,"topic":"orders","partition":0,"group":"{{Group}}"}"""))!).RootElement;
            return reply.GetProperty("offset").ValueKind == JsonValueKind.Null ? null : reply.GetProperty("offset").GetInt64();
        }

        public async ValueTask DisposeAsync()
        {
            await _line.DisposeAsync();
            await _broker.DisposeAsync();
        }
    }

    private static string Type(JsonElement request) => request.GetProperty("type").GetString()!;

    private static string Refused(JsonElement request, string error) => $$"""{"id":{{IdOf(request)}},"ok":false,"error":{{error}}}""";

    private static string Address(int nodeId, JsonLinesPeer peer) => $$"""{"node_id":{{nodeId}},"host":"127.0.0.1","port":{{peer.Port}}}""";

    [Fact]
    public async Task A_broker_that_does_not_know_find_coordinator_coordinates_the_group_itself()
    {
        await using var backend = await Backend.StartAsync();
        // a broker from before coordinators moved: find_coordinator is an unknown request, the rest it serves itself
        await using var node = new JsonLinesPeer((request, line) => Type(request) == "find_coordinator"
            ? Task.FromResult<string?>(Refused(request, """{"code":"unknown_type","message":"unknown request type \"find_coordinator\""}"""))
            : backend.ForwardAsync(line));
        await using var client = await ClusterClient.ConnectAsync([new BrokerAddress("127.0.0.1", node.Port)], new ClusterClientOptions { Retry = Quick });
        await using var coordinator = client.Coordinator(Group);

        await coordinator.CommitAsync("orders", 0, 7, null, CancellationToken.None);
        long? read = await coordinator.CommittedAsync("orders", 0, CancellationToken.None);

        Assert.Equal(7, read);
        Assert.Equal(7, await backend.CommittedAsync());
        Assert.Single(node.Seen("find_coordinator")); // asked once, then the node itself is the coordinator
        Assert.Equal(new BrokerAddress("127.0.0.1", node.Port), coordinator.Address);
    }

    [Fact]
    public async Task Group_requests_follow_not_coordinator_hints_and_wait_out_coordinator_loading()
    {
        await using var backend = await Backend.StartAsync();
        int loading = 0;
        // node 3: the coordinator now, but still reading the group's offsets for its first two requests
        await using var node3 = new JsonLinesPeer((request, line) => Interlocked.Increment(ref loading) <= 2
            ? Task.FromResult<string?>(Refused(request, """{"code":"coordinator_loading","message":"loading billing's offsets"}"""))
            : backend.ForwardAsync(line));
        // node 2: was the coordinator; names node 3
        await using var node2 = new JsonLinesPeer((request, _) =>
            Task.FromResult<string?>(Refused(request, $$"""{"code":"not_coordinator","message":"node 2 does not coordinate billing","coordinator":{{Address(3, node3)}}}""")));
        // node 1: the bootstrap node, whose find_coordinator is out of date
        await using var node1 = new JsonLinesPeer((request, line) => Type(request) == "find_coordinator"
            ? Task.FromResult<string?>($$"""{"id":{{IdOf(request)}},"ok":true,"coordinator":{{Address(2, node2)}}}""")
            : backend.ForwardAsync(line));
        await using var client = await ClusterClient.ConnectAsync([new BrokerAddress("127.0.0.1", node1.Port)], new ClusterClientOptions { Retry = Quick });
        await using var coordinator = client.Coordinator(Group);

        await coordinator.CommitAsync("orders", 0, 5, null, CancellationToken.None);

        Assert.Equal(5, await backend.CommittedAsync());
        Assert.Single(node2.Seen("commit"));
        Assert.Equal(3, node3.Seen("commit").Count); // loading, loading, stored
        Assert.Empty(node1.Seen("commit")); // group requests never went to the node merely asked
        Assert.Equal(new BrokerAddress("127.0.0.1", node3.Port), coordinator.Address);
    }

    [Fact]
    public async Task Not_coordinator_without_a_hint_asks_find_coordinator_again_and_a_member_joins_where_it_points()
    {
        await using var backend = await Backend.StartAsync();
        await using var node2 = new JsonLinesPeer((_, line) => backend.ForwardAsync(line));
        int finds = 0;
        // node 1 names no coordinator at first (it is moving), then node 2; any group request sent to it is refused without a hint
        await using var node1 = new JsonLinesPeer((request, line) => Type(request) switch
        {
            "find_coordinator" => Task.FromResult<string?>($$"""{"id":{{IdOf(request)}},"ok":true,"coordinator":{{(Interlocked.Increment(ref finds) == 1 ? "null" : Address(2, node2))}}}"""),
            "join_group" or "heartbeat" or "commit" or "committed" or "leave_group" =>
                Task.FromResult<string?>(Refused(request, """{"code":"not_coordinator","message":"moving","coordinator":null}""")),
            _ => backend.ForwardAsync(line),
        });
        await using var client = await ClusterClient.ConnectAsync([new BrokerAddress("127.0.0.1", node1.Port)], new ClusterClientOptions { Retry = Quick });
        await using var coordinator = client.Coordinator(Group);

        await using var session = await GroupSession.JoinAsync(coordinator, ["orders"], null, "test");
        await session.CommitAsync("orders", 0, 3, CancellationToken.None);

        Assert.Equal([0], session.Current.Assignment.Single(a => a.Topic == "orders").Partitions); // the only member owns the partition
        Assert.Equal(3, await backend.CommittedAsync());
        Assert.Equal(2, node1.Seen("find_coordinator").Count);
        Assert.Single(node2.Seen("join_group"));
        Assert.Empty(node1.Seen("join_group"));
    }
}
