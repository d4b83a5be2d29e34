using System.Diagnostics;
using Golog.Broker;
using Golog.Client;
using Golog.Protocol;

namespace Golog.EndToEnd.Tests;

/// <summary>
/// Three nodes as three ActorSystems (three broker hosts) in the test process, joined by Akka.Cluster over loopback:
/// the cluster's decisions without process start-up in the way. The node running the controller leaves gracefully:
/// the controller moves, its partitions go to in-sync followers in a higher epoch, the ISRs shrink, acks=all produces
/// go on with nothing acknowledged lost, and the node started again (a new ActorSystem on its storage) catches up and
/// is taken back into every ISR. A cluster whose nodes are all stopped and started again keeps its topics. Crashes,
/// pauses and network partitions of real processes are ClusterFailoverTests' and NetworkPartitionTests'.
/// </summary>
public sealed class InProcessClusterTests
{
    private const string Topic = "inproc";
    private const int Partitions = 3, Nodes = 3;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task The_controller_node_leaving_moves_the_controller_and_its_partitions_and_it_is_taken_back_in_sync_on_its_return()
    {
        using var storage = new TempStorage();
        var nodes = await StartClusterAsync(storage.Path);
        try
        {
            await CreateTopicAsync(nodes);
            var healthy = await WaitUntilHealthyAsync(nodes, Nodes);
            var before = TopicOf(healthy);
            var acknowledged = await ProduceAsync(nodes, "before");

            int leaving = healthy.Controller ?? throw new InvalidOperationException("no controller in the metadata");
            Assert.Contains(before.Partitions, p => p.Leader == leaving); // leaders are spread over all three nodes
            await nodes[leaving].DisposeAsync(); // CoordinatedShutdown: the node leaves the cluster, then stops
            nodes.Remove(leaving);
            var moved = await WaitUntilAsync(nodes, t => t.Partitions.All(p => p.Leader is { } l && l != leaving && p.Isr!.Count == Nodes - 1),
                "every partition led by a node still up, its ISR without the node that left");
            var after = TopicOf(moved);

            Assert.NotEqual(leaving, moved.Controller);
            foreach (var (was, now) in before.Partitions.Zip(after.Partitions).Where(p => p.First.Leader == leaving))
            {
                Assert.True(now.LeaderEpoch > was.LeaderEpoch, $"partition {now.Partition}: epoch {now.LeaderEpoch} after {was.LeaderEpoch}");
                Assert.Contains(now.Leader!.Value, was.Isr!); // elected from the ISR: no unclean election
            }
            foreach (var (key, message) in await ProduceAsync(nodes, "after")) acknowledged[key] = message;

            int seed = PortsFile.Read(PortsFileOf(storage.Path, nodes.Keys.First()))[Golog.Cluster.ClusterNode.PortsFileKey].Port;
            nodes[leaving] = await StartNodeAsync(storage.Path, leaving, seed);
            var back = TopicOf(await WaitUntilHealthyAsync(nodes, Nodes)); // caught up with what was produced meanwhile, or not in the ISR
            Assert.All(back.Partitions, p => Assert.Contains(leaving, p.Isr!));
            Assert.Equal(acknowledged.OrderBy(a => a.Key), (await ReadAllAsync(nodes, acknowledged.Count)).OrderBy(s => s.Key));
        }
        finally
        {
            foreach (var node in nodes.Values) await node.DisposeAsync();
        }
    }

    [Fact]
    public async Task Every_node_stopped_and_started_again_as_a_new_actor_system_keeps_the_topics_and_their_messages()
    {
        using var storage = new TempStorage();
        var nodes = await StartClusterAsync(storage.Path);
        Dictionary<(int Partition, long Offset), string> acknowledged;
        try
        {
            await CreateTopicAsync(nodes);
            await WaitUntilHealthyAsync(nodes, Nodes);
            acknowledged = await ProduceAsync(nodes, "kept");
        }
        finally
        {
            foreach (var node in nodes.Values) await node.DisposeAsync();
        }

        nodes = await StartClusterAsync(storage.Path);
        try
        {
            var topic = TopicOf(await WaitUntilHealthyAsync(nodes, Nodes));
            Assert.Equal(Partitions, topic.Partitions.Count); // from the durable store: nobody created it again
            Assert.Equal(acknowledged.OrderBy(a => a.Key), (await ReadAllAsync(nodes, acknowledged.Count)).OrderBy(s => s.Key));
        }
        finally
        {
            foreach (var node in nodes.Values) await node.DisposeAsync();
        }
    }

    // ---- the cluster ----

    /// <summary>Node 1 forms the cluster on a free port; nodes 2 and 3 join through it. Each keeps storage/n{id}.</summary>
    private static async Task<Dictionary<int, InProcessBroker>> StartClusterAsync(string storage)
    {
        var nodes = new Dictionary<int, InProcessBroker>();
        try
        {
            nodes[1] = await StartNodeAsync(storage, 1, seed: null);
            int seed = PortsFile.Read(PortsFileOf(storage, 1))[Golog.Cluster.ClusterNode.PortsFileKey].Port;
            for (int id = 2; id <= Nodes; id++) nodes[id] = await StartNodeAsync(storage, id, seed);
            return nodes;
        }
        catch
        {
            foreach (var node in nodes.Values) await node.DisposeAsync();
            throw;
        }
    }

    private static Task<InProcessBroker> StartNodeAsync(string storage, int id, int? seed) =>
        InProcessBroker.StartAsync(Path.Combine(storage, $"n{id}"), ["--node-id", id.ToString(), "--cluster-port", "0",
            "--ports-file", PortsFileOf(storage, id), .. seed is { } s ? new[] { "--seed-nodes", $"127.0.0.1:{s}" } : []]);

    private static string PortsFileOf(string storage, int id) => Path.Combine(storage, $"n{id}.ports.json");

    private static IReadOnlyList<BrokerAddress> Bootstrap(Dictionary<int, InProcessBroker> nodes) =>
        [.. nodes.Values.Select(n => new BrokerAddress("127.0.0.1", n.Port))];

    private static Task CreateTopicAsync(Dictionary<int, InProcessBroker> nodes) =>
        ClusterProcesses.AskToCreateTopicAsync(nodes.Values.First().Port, Topic, Partitions, Nodes, Timeout);

    private static Func<IReadOnlyList<(int Node, int Port)>> Doors(Dictionary<int, InProcessBroker> nodes) =>
        () => [.. nodes.Select(n => (n.Key, n.Value.Port))];

    private static Task<ClusterMetadata> WaitUntilHealthyAsync(Dictionary<int, InProcessBroker> nodes, int isr) =>
        ClusterProcesses.WaitUntilHealthyAsync(Doors(nodes), Topic, Partitions, isr, Timeout);

    private static Task<ClusterMetadata> WaitUntilAsync(Dictionary<int, InProcessBroker> nodes, Func<TopicMetadata, bool> condition, string what) =>
        ClusterProcesses.WaitUntilAsync(Doors(nodes), Topic, m => m.Topics.SingleOrDefault(t => t.Name == Topic) is { } t && condition(t), Timeout, what);

    private static TopicMetadata TopicOf(ClusterMetadata metadata) => metadata.Topics.Single(t => t.Name == Topic);

    /// <summary>Ten acks=all messages to each partition through a client that follows leaders; what each was acknowledged at.</summary>
    private static async Task<Dictionary<(int Partition, long Offset), string>> ProduceAsync(Dictionary<int, InProcessBroker> nodes, string prefix)
    {
        var acknowledged = new Dictionary<(int Partition, long Offset), string>();
        await using var client = await ClusterClient.ConnectAsync(Bootstrap(nodes));
        for (int p = 0; p < Partitions; p++)
            for (int i = 0; i < 10; i++)
            {
                string message = $"{prefix}-p{p}-{i}";
                acknowledged[(p, (await client.ProduceAsync(Topic, p, message)).BaseOffset)] = message;
            }
        return acknowledged;
    }

    /// <summary>Every partition read from its leader until <paramref name="count"/> records are in (a new leader's high watermark catches up) or the time is up.</summary>
    private static async Task<Dictionary<(int Partition, long Offset), string>> ReadAllAsync(Dictionary<int, InProcessBroker> nodes, int count)
    {
        var served = new Dictionary<(int Partition, long Offset), string>();
        await using var client = await ClusterClient.ConnectAsync(Bootstrap(nodes));
        for (var waited = Stopwatch.StartNew(); served.Count < count && waited.Elapsed < Timeout; await Task.Delay(200))
            for (int p = 0; p < Partitions; p++)
                foreach (var record in (await client.FetchAsync(Topic, p, 0, maxMessages: 1000)).Records)
                    served[(p, record.Offset)] = record.Message;
        return served;
    }
}
