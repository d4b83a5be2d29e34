using Golog.Client;
using Xunit.Abstractions;

namespace Golog.EndToEnd.Tests;

/// <summary>
/// A whole cluster stopped and started again (a power cycle of every machine, one after another): the topic metadata
/// the controller kept in Distributed Data's durable store comes back from each node's disk, so the topic is there
/// with its partitions, leaders and full ISRs, and everything acknowledged is served at its offset.
/// </summary>
public sealed class ClusterRestartTests(ITestOutputHelper output)
{
    private const string Topic = "kept";
    private const int Partitions = 3, PerPartition = 20;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task After_every_node_stopped_and_started_again_the_topics_and_every_acknowledged_message_are_there()
    {
        await using var cluster = await ClusterProcesses.StartAsync();
        await cluster.ShowingLogsOnFailureAsync(output, async () =>
        {
            await cluster.CreateTopicAsync(Topic, Partitions, ClusterProcesses.Nodes.Count, Timeout);
            var acknowledged = new Dictionary<(int Partition, long Offset), string>();
            await using (var client = await ClusterClient.ConnectAsync(cluster.Bootstrap))
                for (int p = 0; p < Partitions; p++)
                    for (int i = 0; i < PerPartition; i++)
                    {
                        string message = $"p{p}-m{i}";
                        var ack = await client.ProduceAsync(Topic, p, message); // acks=all
                        acknowledged[(p, ack.BaseOffset)] = message;
                    }

            var exits = await cluster.StopAllAsync();
            Assert.All(exits, e => Assert.True(e.Value == 0, $"node {e.Key} exited with {e.Value} on SIGTERM"));
            foreach (int node in ClusterProcesses.Nodes) await cluster.RestartAsync(node); // the first forms the cluster, the others join it

            var metadata = await cluster.WaitUntilHealthyAsync(Topic, Partitions, ClusterProcesses.Nodes.Count, Timeout);
            Assert.Equal(Partitions, metadata.Topics.Single(t => t.Name == Topic).Partitions.Count);
            // a restarted leader serves up to its high watermark, which moves up again as its followers fetch: read until
            // every partition's count is reached or the time is up (then the comparison says what is missing)
            var served = new Dictionary<(int Partition, long Offset), string>();
            await using (var client = await ClusterClient.ConnectAsync(cluster.Bootstrap))
                for (var waited = System.Diagnostics.Stopwatch.StartNew(); served.Count < acknowledged.Count && waited.Elapsed < Timeout; await Task.Delay(200))
                    for (int p = 0; p < Partitions; p++)
                        foreach (var record in (await client.FetchAsync(Topic, p, 0, maxMessages: 1000)).Records)
                            served[(p, record.Offset)] = record.Message;
            Assert.Equal(acknowledged.OrderBy(a => a.Key), served.OrderBy(s => s.Key));
        });
    }
}
