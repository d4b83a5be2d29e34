using System.Diagnostics;
using System.Text.Json;
using Golog.Broker;
using Xunit.Abstractions;

namespace Golog.EndToEnd.Tests;

/// <summary>
/// The web console's cluster view (/api/cluster) on three real broker processes: what an operator opens when a node
/// dies. It must show every node and replica while all is well, then the killed node no longer up and every partition
/// it held under-replicated, from a node that stayed.
/// </summary>
public sealed class ClusterConsoleTests(ITestOutputHelper output)
{
    private const string Topic = "watched";
    private const int Partitions = 3;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(200);

    [Fact]
    public async Task The_cluster_view_shows_every_replica_in_sync_then_the_killed_node_down_and_its_partitions_under_replicated()
    {
        await using var cluster = await ClusterProcesses.StartAsync();
        await cluster.ShowingLogsOnFailureAsync(output, async () =>
        {
            var metadata = await cluster.CreateTopicAsync(Topic, Partitions, ClusterProcesses.Nodes.Count, Timeout);
            int watcher = ClusterProcesses.Nodes[0], victim = ClusterProcesses.Nodes[^1];
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{PortsFile.Read(cluster[watcher].PortsFilePath)["http"].Port}/") };

            var healthy = await PollAsync(http, v => Nodes(v).Count(n => n.Status == "up") == ClusterProcesses.Nodes.Count && WatchedPartitions(v).Count == Partitions,
                "three nodes up and the topic's partitions listed");

            Assert.True(healthy.GetProperty("clustered").GetBoolean());
            Assert.Equal(watcher, healthy.GetProperty("self").GetInt32());
            Assert.Equal(0, healthy.GetProperty("underReplicated").GetInt32());
            Assert.All(Nodes(healthy), n => Assert.Equal(Partitions, n.Replicas));
            foreach (var p in metadata.Topics.Single(t => t.Name == Topic).Partitions)
            {
                var shown = WatchedPartitions(healthy).Single(v => v.GetProperty("partition").GetInt32() == p.Partition);
                Assert.Equal(p.Leader, shown.GetProperty("leader").GetInt32());
                Assert.Equal(p.Isr!.Order(), Ids(shown, "isr").Order());
            }

            await cluster.KillAsync(victim);
            var degraded = await PollAsync(http, v => Nodes(v).All(n => n.NodeId != victim || n.Status != "up")
                && WatchedPartitions(v).All(p => p.GetProperty("leader").ValueKind == JsonValueKind.Number && !Ids(p, "isr").Contains(victim)),
                $"node {victim} not up and out of every ISR");

            Assert.All(WatchedPartitions(degraded), p =>
            {
                Assert.Contains(victim, Ids(p, "replicas"));
                Assert.True(p.GetProperty("underReplicated").GetBoolean());
            });
            Assert.True(degraded.GetProperty("underReplicated").GetInt32() >= Partitions);
        });
    }

    /// <summary>
    /// A node's /metrics reports the partition gauges (log start, high watermark, log end, size) of the partitions it
    /// keeps a copy of, as a Kafka broker does: a partition held by other nodes has no log here, and reading 0 it
    /// would look like data lost.
    /// </summary>
    [Fact]
    public async Task A_node_reports_partition_gauges_only_for_the_partitions_it_holds()
    {
        await using var cluster = await ClusterProcesses.StartAsync();
        await cluster.ShowingLogsOnFailureAsync(output, async () =>
        {
            int node = ClusterProcesses.Nodes[0];
            var metadata = await cluster.CreateTopicAsync("spread", 3, replicationFactor: 1, Timeout);
            var held = metadata.Topics.Single(t => t.Name == "spread").Partitions.Where(p => p.Replicas!.Contains(node)).Select(p => p.Partition).Order().ToList();
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{PortsFile.Read(cluster[node].PortsFilePath)["http"].Port}/") };

            List<int> reported = [];
            for (var waited = Stopwatch.StartNew(); waited.Elapsed < Timeout && !reported.SequenceEqual(held); await Task.Delay(PollInterval))
                reported = [.. (await http.GetStringAsync("metrics")).Split('\n')
                    .Where(l => l.StartsWith("golog_partition_high_watermark{") && l.Contains("topic=\"spread\""))
                    .Select(l => int.Parse(l.Split("partition=\"")[1].Split('"')[0])).Order()];

            Assert.NotEmpty(held); // three partitions, one copy each, spread over three nodes
            Assert.True(held.Count < 3, $"node {node} holds every partition of a topic with one copy each: {string.Join(",", held)}");
            Assert.Equal(held, reported);
        });
    }

    private sealed record Node(int NodeId, string Status, int Replicas);

    private static List<Node> Nodes(JsonElement view) => [.. view.GetProperty("brokers").EnumerateArray()
        .Select(b => new Node(b.GetProperty("nodeId").GetInt32(), b.GetProperty("status").GetString()!, b.GetProperty("replicas").GetInt32()))];

    private static List<JsonElement> WatchedPartitions(JsonElement view) =>
        [.. view.GetProperty("partitions").EnumerateArray().Where(p => p.GetProperty("topic").GetString() == Topic)];

    private static List<int> Ids(JsonElement partition, string property) => [.. partition.GetProperty(property).EnumerateArray().Select(i => i.GetInt32())];

    /// <summary>GET /api/cluster until <paramref name="condition"/> holds; fails after <see cref="Timeout"/> with the last view.</summary>
    private static async Task<JsonElement> PollAsync(HttpClient http, Func<JsonElement, bool> condition, string what)
    {
        string last = "";
        for (var waited = Stopwatch.StartNew(); waited.Elapsed < Timeout; await Task.Delay(PollInterval))
        {
            last = await http.GetStringAsync("api/cluster");
            var view = JsonDocument.Parse(last).RootElement;
            if (condition(view)) return view;
        }
        throw new TimeoutException($"no {what} in the cluster view within {Timeout.TotalSeconds} s; last: {last}");
    }
}
