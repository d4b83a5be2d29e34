using System.Text.Json;
using Golog.Client;
using Golog.Protocol;
using static Golog.EndToEnd.Tests.JsonLinesPeer;

namespace Golog.EndToEnd.Tests;

/// <summary>
/// <see cref="ClusterClient"/> against real listeners: a node that no longer leads (a JSON-lines peer whose metadata
/// is stale and which answers not_leader), a node in front of a real broker that dies after the broker stored a
/// batch but before answering it, and the broker itself. The client must follow the hint, retry after the lost
/// answer with the same producer fields, and so store the batch exactly once.
/// </summary>
public sealed class LeaderFollowingTests
{
    private static readonly RetryPolicy Quick = new(10, TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(20));

    private sealed class Cluster : IAsyncDisposable
    {
        public required InProcessBroker Broker { get; init; }
        public required LineClient ToBroker { get; init; }
        public required JsonLinesPeer Leader { get; init; }
        public required JsonLinesPeer Stale { get; init; }

        public async ValueTask DisposeAsync()
        {
            await Stale.DisposeAsync();
            await Leader.DisposeAsync();
            await ToBroker.DisposeAsync();
            await Broker.DisposeAsync();
        }
    }

    /// <summary>
    /// Node 2 (<c>Leader</c>) passes every request to the real broker, and closes the connection instead of answering the
    /// produces <paramref name="dropAnswer"/> picks (by count, from 1). Node 1 (<c>Stale</c>, the bootstrap broker) names
    /// itself leader of orders-0 in its metadata, and answers produce and fetch with <paramref name="notLeader"/>'s error.
    /// </summary>
    private static async Task<Cluster> StartAsync(Func<int, bool> dropAnswer, Func<int, string> notLeader)
    {
        var broker = await InProcessBroker.StartAsync();
        var toBroker = await LineClient.ConnectAsync(broker.Port);
        await toBroker.RequestAsync("""{"type":"create_topic","id":0,"topic":"orders","partitions":1}""");
        int produces = 0;
        var gate = new SemaphoreSlim(1, 1); // one request at a time on the broker connection keeps replies matched
        async Task<string> Forward(string line)
        {
            await gate.WaitAsync();
            try { return await toBroker.RequestAsync(line); } finally { gate.Release(); }
        }
        var leader = new JsonLinesPeer(async (request, line) =>
        {
            string reply = await Forward(line);
            return request.GetProperty("type").GetString() == "produce" && dropAnswer(Interlocked.Increment(ref produces)) ? null : reply;
        });
        JsonLinesPeer? stale = null;
        stale = new JsonLinesPeer(async (request, line) => request.GetProperty("type").GetString() switch
        {
            "metadata" => $$"""{"id":{{IdOf(request)}},"ok":true,"brokers":[{"node_id":1,"host":"127.0.0.1","port":{{stale!.Port}},"kafka_port":null,"status":"up"},""" +
                          $$"""{"node_id":2,"host":"127.0.0.1","port":{{leader.Port}},"kafka_port":null,"status":"up"}],"controller":1,"topics":""" +
                          """[{"name":"orders","partitions":[{"partition":0,"log_start_offset":0,"high_watermark":0,"leader":1,"replicas":[1,2],"isr":[1,2],"leader_epoch":4}]}]}""",
            "init_producer_id" => await Forward(line),
            _ => $$$"""{"id":{{{IdOf(request)}}},"ok":false,"error":{"code":"not_leader","message":"node 1 no longer leads orders-0","leader":{{{notLeader(leader.Port)}}}}}""",
        });
        return new Cluster { Broker = broker, ToBroker = toBroker, Leader = leader, Stale = stale };
    }

    private static string HintAt(int port) => $$"""{"node_id":2,"host":"127.0.0.1","port":{{port}}}""";

    [Fact]
    public async Task A_produce_follows_not_leader_to_the_leader_and_a_retry_after_a_lost_answer_is_stored_once()
    {
        await using var cluster = await StartAsync(dropAnswer: n => n == 1, notLeader: HintAt);
        await using var client = await ClusterClient.ConnectAsync([new BrokerAddress("127.0.0.1", cluster.Stale.Port)], new ClusterClientOptions { Retry = Quick });

        var first = await client.ProduceAsync("orders", 0, [(ReadOnlyMemory<byte>)"a"u8.ToArray(), "b"u8.ToArray()]);
        var second = await client.ProduceAsync("orders", 0, "c");

        Assert.Equal((0L, 1L), (first.BaseOffset, first.LastOffset)); // the original offsets, though the first answer was lost
        Assert.Equal(2, second.BaseOffset);
        Assert.Equal(["a", "b", "c"], await StoredAsync(cluster.ToBroker));
        var sent = cluster.Leader.Seen("produce");
        Assert.Equal(3, sent.Count); // the batch, its retry, the next batch
        Assert.Equal(sent[0].GetProperty("sequence").GetInt32(), sent[1].GetProperty("sequence").GetInt32());
        Assert.Equal(2, sent[2].GetProperty("sequence").GetInt32());
        Assert.NotEmpty(cluster.Stale.Seen("produce")); // it went to the stale node first, as its metadata said
    }

    [Fact]
    public async Task A_fetch_follows_not_leader_to_the_leader()
    {
        await using var cluster = await StartAsync(dropAnswer: _ => false, notLeader: HintAt);
        await cluster.ToBroker.RequestAsync("""{"type":"produce","id":1,"topic":"orders","partition":0,"messages":["x","y"]}""");
        await using var client = await ClusterClient.ConnectAsync([new BrokerAddress("127.0.0.1", cluster.Stale.Port)], new ClusterClientOptions { Retry = Quick });

        var fetched = await client.FetchAsync("orders", 0, 0);

        Assert.Equal(["x", "y"], fetched.Records.Select(r => r.Message));
        Assert.Single(cluster.Stale.Seen("fetch"));
        Assert.Single(cluster.Leader.Seen("fetch"));
    }

    [Fact]
    public async Task Without_a_hint_it_asks_metadata_again_and_gives_up_after_the_policys_attempts()
    {
        await using var cluster = await StartAsync(dropAnswer: _ => false, notLeader: _ => "null");
        var policy = new RetryPolicy(3, TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(10), TimeSpan.FromSeconds(20));
        await using var client = await ClusterClient.ConnectAsync([new BrokerAddress("127.0.0.1", cluster.Stale.Port)],
            new ClusterClientOptions { Retry = policy, Idempotent = false });

        var e = await Assert.ThrowsAsync<GologException>(() => client.ProduceAsync("orders", 0, "x"));

        Assert.Equal(ErrorCode.NotLeader, e.Code);
        Assert.Equal(3, cluster.Stale.Seen("produce").Count);
        Assert.Equal(3, cluster.Stale.Seen("metadata").Count); // each not_leader without a hint forgets what metadata said
        Assert.Empty(await StoredAsync(cluster.ToBroker));
    }

    private static async Task<List<string>> StoredAsync(LineClient toBroker)
    {
        var reply = JsonDocument.Parse(await toBroker.RequestAsync("""{"type":"fetch","id":99,"topic":"orders","partition":0,"offset":0}""")).RootElement;
        return reply.GetProperty("records").EnumerateArray().Select(r => r.GetProperty("message").GetString()!).ToList();
    }
}
