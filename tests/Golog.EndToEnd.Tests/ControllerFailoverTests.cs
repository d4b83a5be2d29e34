using Golog.Client;
using Xunit.Abstractions;

namespace Golog.EndToEnd.Tests;

/// <summary>
/// kill -9 of the node that runs the controller (the cluster singleton that alone decides leaders and writes the
/// metadata): the cluster singleton moves to a survivor once the dead node is downed, which elects new leaders for
/// the partitions the dead node led, and creates topics again.
/// </summary>
public sealed class ControllerFailoverTests(ITestOutputHelper output)
{
    private const string Topic = "steered";
    private const int Partitions = 3;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task After_kill_9_of_the_controllers_node_a_survivor_controls_elects_new_leaders_and_creates_topics()
    {
        await using var cluster = await ClusterProcesses.StartAsync();
        await cluster.ShowingLogsOnFailureAsync(output, async () =>
        {
            var before = await cluster.CreateTopicAsync(Topic, Partitions, ClusterProcesses.Nodes.Count, Timeout);
            int controller = before.Controller ?? throw new InvalidOperationException("the metadata names no controller");
            var ledByIt = before.Topics.Single(t => t.Name == Topic).Partitions.Where(p => p.Leader == controller).Select(p => p.Partition).ToList();

            await cluster.KillAsync(controller);
            var after = await cluster.WaitUntilAsync(Topic, m => m.Controller is { } c && c != controller
                && m.Topics.Single(t => t.Name == Topic).Partitions.All(p => p.Leader is { } l && l != controller), Timeout,
                $"a controller other than node {controller} and every partition led by a survivor");

            Assert.All(after.Topics.Single(t => t.Name == Topic).Partitions.Where(p => ledByIt.Contains(p.Partition)), p =>
                Assert.True(p.LeaderEpoch > before.Topics.Single(t => t.Name == Topic).Partitions.Single(b => b.Partition == p.Partition).LeaderEpoch,
                    $"partition {p.Partition} has a new leader in the same epoch"));
            // the new controller decides: a topic with a copy on each of the two nodes left
            await cluster.CreateTopicAsync("after-failover", 2, ClusterProcesses.Nodes.Count - 1, Timeout);
        });
    }
}
