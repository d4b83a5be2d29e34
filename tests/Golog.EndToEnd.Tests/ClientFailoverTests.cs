using System.Diagnostics;
using Golog.Client;
using Golog.Perf;
using Golog.Protocol;
using Xunit.Abstractions;

namespace Golog.EndToEnd.Tests;

/// <summary>
/// The clients a user runs, against a three-node cluster of real broker processes (<see cref="ClusterProcesses"/>)
/// whose leader fails: the consumer console across a kill -9, golog-perf's produce across a kill -9, and
/// <see cref="ClusterClient"/> across a SIGSTOP, where only its request timeout notices that the leader is gone.
/// </summary>
public sealed class ClientFailoverTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Healthy = TimeSpan.FromSeconds(60);
    private static readonly int Replicas = ClusterProcesses.Nodes.Count;

    [Fact]
    public async Task The_consumer_console_follows_a_new_leader_after_a_kill_9_and_prints_every_record_once_in_order()
    {
        await using var cluster = await ClusterProcesses.StartAsync();
        await cluster.ShowingLogsOnFailureAsync(output, async () =>
        {
            var metadata = await cluster.CreateTopicAsync("follow", 1, Replicas, Healthy);
            int leader = Leader(metadata, "follow", 0);
            int named = ClusterProcesses.Nodes.First(n => n != leader); // --broker names a follower: the consumer finds the leader itself
            await using var client = await ClusterClient.ConnectAsync(cluster.Bootstrap);
            for (int i = 0; i < 20; i++) await client.ProduceAsync("follow", 0, $"m-{i}");

            await using var consumer = new ConsumerProcess(["--broker", $"127.0.0.1:{cluster[named].Port}", "--topic", "follow", "--partition", "0",
                "--group", "g", "--poll-interval", "200ms"]);
            await consumer.WaitForLineAsync("offset 19: m-19");
            await cluster.KillAsync(leader);
            for (int i = 20; i < 40; i++) await client.ProduceAsync("follow", 0, $"m-{i}"); // retried until a new leader takes them
            await consumer.WaitForLineAsync("offset 39: m-39");

            Assert.Equal(0, await consumer.InterruptAsync());
            var printed = consumer.Lines.Where(l => l.StartsWith("offset ", StringComparison.Ordinal)).ToList();
            Assert.Equal(Enumerable.Range(0, 40).Select(i => $"offset {i}: m-{i}"), printed);
            Assert.Contains("committed offset 40 for group g", consumer.Lines);
            output.WriteLine(string.Join('\n', consumer.Lines.Where(l => l.StartsWith("stderr: ", StringComparison.Ordinal))));
        });
    }

    [Fact]
    public async Task Golog_perf_produce_rides_out_a_kill_9_of_a_leader_and_stores_every_message_once()
    {
        const int Messages = 200_000;
        await using var cluster = await ClusterProcesses.StartAsync();
        await cluster.ShowingLogsOnFailureAsync(output, async () =>
        {
            var metadata = await cluster.CreateTopicAsync("perf", 3, Replicas, Healthy);
            int leader = Leader(metadata, "perf", 0);
            int other = ClusterProcesses.Nodes.First(n => n != leader);
            var options = new PerfOptions
            {
                Workload = Workload.Produce, Broker = new BrokerAddress("127.0.0.1", cluster[other].Port), Topic = "perf",
                Partitions = 3, Messages = Messages, Batch = 50, InFlight = 2, Connections = 3, MaxTime = TimeSpan.FromSeconds(150),
            };
            var run = Task.Run(() => ProduceRun.RunAsync(options, CancellationToken.None));
            await WaitForHighWatermarkAsync(cluster, other, "perf", 0, Messages / 30, run);
            Assert.False(run.IsCompleted, "the run finished before the kill; it needs more messages to be killed mid-run");
            await cluster.KillAsync(leader);
            var produced = await run;

            Assert.Null(produced.Failure);
            Assert.Equal(Messages, produced.Messages);
            await cluster.WaitUntilHealthyAsync("perf", 3, Replicas - 1, Healthy);
            // every payload at its offset once, in each writer's order: nothing stored twice by a retry
            var consumed = await ConsumeRun.RunAsync(options with { Workload = Workload.Consume, Batch = 1000 }, CancellationToken.None);
            Assert.Null(consumed.Failure);
            Assert.Equal(Messages, consumed.Messages);
        });
    }

    [Fact]
    public async Task A_produce_to_a_SIGSTOPped_leader_times_out_moves_to_the_new_leader_and_is_stored_once()
    {
        var requestTimeout = TimeSpan.FromSeconds(3);
        // down-after well past the pause: the paused node comes back as a member (and follows), not shut down as downed
        await using var cluster = await ClusterProcesses.StartAsync("--set", "golog.cluster.down-after=60s");
        await cluster.ShowingLogsOnFailureAsync(output, async () =>
        {
            var metadata = await cluster.CreateTopicAsync("stall", 3, Replicas, Healthy);
            // not the controller's partition: the controller is a singleton that moves only once its node is downed
            var before = metadata.Topics.Single(t => t.Name == "stall").Partitions.First(p => p.Leader != metadata.Controller);
            int partition = before.Partition, leader = before.Leader!.Value;
            // a retry budget above the default 30 s: under a loaded CI machine the election alone has taken that long
            var retry = RetryPolicy.Default with { MaxAttempts = 200, MaxTotal = TimeSpan.FromSeconds(90) };
            await using var client = await ClusterClient.ConnectAsync(cluster.Bootstrap, new ClusterClientOptions { RequestTimeout = requestTimeout, Retry = retry });
            for (int i = 0; i < 10; i++) await client.ProduceAsync("stall", partition, $"s-{i}");

            await cluster.PauseAsync(leader);
            var clock = Stopwatch.StartNew();
            await client.ProduceAsync("stall", partition, "s-10");
            var moved = clock.Elapsed;
            for (int i = 11; i < 20; i++) await client.ProduceAsync("stall", partition, $"s-{i}");
            await cluster.ResumeAsync(leader);

            output.WriteLine($"the first produce after SIGSTOP of node {leader} was acknowledged after {moved.TotalSeconds:F1} s");
            Assert.True(moved >= requestTimeout, $"acknowledged after {moved.TotalSeconds:F1} s, before the paused leader could have timed out");
            await cluster.WaitUntilHealthyAsync("stall", 3, Replicas, Healthy); // the resumed node follows again
            var fetched = await client.FetchAsync("stall", partition, 0, maxMessages: 100);
            Assert.Equal(Enumerable.Range(0, 20).Select(i => $"s-{i}"), fetched.Records.Select(r => r.Message));
        });
    }

    private static int Leader(ClusterMetadata metadata, string topic, int partition) =>
        metadata.Topics.Single(t => t.Name == topic).Partitions.Single(p => p.Partition == partition).Leader!.Value;

    /// <summary>Polls <paramref name="node"/>'s metadata until the partition holds <paramref name="atLeast"/> messages (or the run ended).</summary>
    private static async Task WaitForHighWatermarkAsync(ClusterProcesses cluster, int node, string topic, int partition, long atLeast, Task run)
    {
        await using var client = await GologClient.ConnectAsync("127.0.0.1", cluster[node].Port);
        for (var waited = Stopwatch.StartNew(); waited.Elapsed < Healthy && !run.IsCompleted; await Task.Delay(50))
        {
            var p = (await client.MetadataAsync(topic)).Single().Partitions.Single(x => x.Partition == partition);
            if (p.HighWatermark >= atLeast) return;
        }
    }
}
