using System.Text.Json;
using Golog.Client;
using Golog.Protocol;
using Xunit.Abstractions;

namespace Golog.EndToEnd.Tests;

/// <summary>
/// A fourth node added to a running three-node cluster of real broker processes: `golog cluster status` lists it,
/// topics created after it joined place leaders and replicas on it, and it serves produce and fetch.
/// </summary>
public sealed class ClusterGrowthTests(ITestOutputHelper output)
{
    private const int Fourth = 4;
    private const int Partitions = 8;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_fourth_node_joins_a_running_cluster_and_new_topics_use_it()
    {
        await using var cluster = await ClusterProcesses.StartAsync();
        await cluster.ShowingLogsOnFailureAsync(output, async () =>
        {
            await cluster.CreateTopicAsync("before", 3, 3, Timeout);
            await cluster.AddNodeAsync(Fourth);
            await cluster.WaitUntilAsync(null, m => m.Brokers?.Count(b => b.Status == BrokerStatus.Up) == 4, Timeout, "every node listing four nodes up");
            var status = await ClusterStatusAsync(cluster[Fourth].Port);
            Assert.Equal([1, 2, 3, 4], status.GetProperty("nodes").EnumerateArray().Select(n => n.GetProperty("node_id").GetInt32()).Order());

            var metadata = await cluster.CreateTopicAsync("after", Partitions, 3, Timeout);
            var partitions = metadata.Topics.Single(t => t.Name == "after").Partitions;
            output.WriteLine(string.Join("\n", partitions.Select(p => $"after-{p.Partition}: leader {p.Leader}, replicas [{string.Join(",", p.Replicas!)}]")));
            Assert.Contains(partitions, p => p.Leader == Fourth);
            Assert.Equal(Partitions * 3 / 4, partitions.Count(p => p.Replicas!.Contains(Fourth))); // an even share of the replicas

            // produce and fetch through the new node, as a client that knows only it
            await using var client = await ClusterClient.ConnectAsync([new BrokerAddress("127.0.0.1", cluster[Fourth].Port)]);
            foreach (var p in partitions) await client.ProduceAsync("after", p.Partition, $"to-{p.Partition}");
            var led = partitions.First(p => p.Leader == Fourth).Partition;
            await using var direct = await GologClient.ConnectAsync("127.0.0.1", cluster[Fourth].Port);
            Assert.Equal([$"to-{led}"], (await direct.FetchAsync("after", led, 0)).Records.Select(r => r.Message));
            foreach (var p in partitions)
                Assert.Equal([$"to-{p.Partition}"], (await client.FetchAsync("after", p.Partition, 0)).Records.Select(r => r.Message));
        });
    }

    private static async Task<JsonElement> ClusterStatusAsync(int port)
    {
        var (exit, stdout, stderr) = await DotnetProgram.RunAsync("golog", ["--broker", $"127.0.0.1:{port}", "-o", "json", "cluster", "status"]);
        Assert.True(exit == 0, $"golog cluster status exited {exit}: {stderr}");
        return JsonDocument.Parse(stdout).RootElement;
    }
}
