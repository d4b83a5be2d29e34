using System.Diagnostics;
using Confluent.Kafka;
using Xunit.Abstractions;

namespace Golog.EndToEnd.Tests;

/// <summary>
/// The Kafka door of a three-node cluster: a Confluent.Kafka (librdkafka) consumer commits through FindCoordinator's
/// answer, the coordinator's node is killed with kill -9, and a consumer bootstrapped from the two others reads the
/// commit back, librdkafka following NOT_COORDINATOR and COORDINATOR_LOAD_IN_PROGRESS by itself.
/// </summary>
public sealed class KafkaCoordinatorFailoverTests(ITestOutputHelper output)
{
    private const string Topic = "orders";
    private const string Group = "kafka-billing";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_Kafka_consumers_commit_survives_the_kill_9_of_its_coordinators_node()
    {
        await using var cluster = await ClusterProcesses.StartAsync();
        try
        {
            await cluster.CreateTopicAsync(Topic, 1, ClusterProcesses.Nodes.Count, Patience); // known to every node before the consumer starts
            var partition = new TopicPartition(Topic, 0);
            using (var consumer = Consumer(ClusterProcesses.Nodes.Select(n => cluster[n].KafkaPort)))
            {
                consumer.Assign(partition);
                consumer.Commit([new TopicPartitionOffset(partition, 42)]);
                Assert.Equal(42, consumer.Committed([partition], Patience)[0].Offset.Value);
            }

            int coordinator = await CoordinatorAsync(cluster);
            await cluster.KillAsync(coordinator);
            var sinceKill = Stopwatch.StartNew();
            var survivors = ClusterProcesses.Nodes.Where(n => n != coordinator).ToList();
            using (var consumer = Consumer(survivors.Select(n => cluster[n].KafkaPort)))
            {
                long committed = -1;
                string last = "none";
                while (committed != 42 && sinceKill.Elapsed < Patience) // a Committed timing out meanwhile is asked again
                {
                    try { committed = consumer.Committed([partition], TimeSpan.FromSeconds(10))[0].Offset.Value; }
                    catch (KafkaException e) { last = e.Error.ToString(); }
                }
                output.WriteLine($"kill -9 of node {coordinator} (coordinator of {Group}): librdkafka read the commit back after {sinceKill.Elapsed.TotalSeconds:F1} s" +
                                 $" (last error meanwhile: {last})");
                Assert.Equal(42, committed);
            }
        }
        catch
        {
            output.WriteLine(cluster.Logs());
            throw;
        }
    }

    private static IConsumer<Ignore, Ignore> Consumer(IEnumerable<int> kafkaPorts) => new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig
    {
        BootstrapServers = string.Join(",", kafkaPorts.Select(p => $"127.0.0.1:{p}")),
        GroupId = Group,
        EnableAutoCommit = false,
    }).Build();

    /// <summary>The node find_coordinator names for the group (the JSON door's word; the Kafka door's FindCoordinator is the same lookup).</summary>
    private static async Task<int> CoordinatorAsync(ClusterProcesses cluster)
    {
        await using var client = await LineClient.ConnectAsync(cluster[1].Port);
        string reply = await client.RequestAsync($$"""{"type":"find_coordinator","id":2,"group":"{{Group}}"}""");
        using var json = System.Text.Json.JsonDocument.Parse(reply);
        return json.RootElement.GetProperty("coordinator").GetProperty("node_id").GetInt32();
    }
}
