using System.Diagnostics;
using Golog.Client;
using Golog.Protocol;
using Xunit.Abstractions;

namespace Golog.EndToEnd.Tests;

// Topics on a running cluster, and the nodes' logs on a failure, as several cluster tests need them.
public sealed partial class ClusterProcesses
{
    /// <summary>Runs <paramref name="test"/>; if it fails, the nodes' logs go to the test's output before the failure.</summary>
    public async Task ShowingLogsOnFailureAsync(ITestOutputHelper output, Func<Task> test)
    {
        try { await test(); }
        catch
        {
            output.WriteLine(Logs());
            throw;
        }
    }

    /// <summary>
    /// Creates <paramref name="topic"/> with <paramref name="replicationFactor"/> replicas per partition, asking again
    /// while the controller does not count that many nodes up yet (it refuses a replication factor above the nodes up)
    /// or does not answer (not_enough_replicas: no controller yet, as right after the controller's node died; an
    /// attempt that timed out may still have created it, so "already exists" after a retry is success), and waits until
    /// it is healthy.
    /// </summary>
    public async Task<ClusterMetadata> CreateTopicAsync(string topic, int partitions, int replicationFactor, TimeSpan timeout)
    {
        await AskToCreateTopicAsync(_running.First(r => !_paused.Contains(r.Key)).Value.Port, topic, partitions, replicationFactor, timeout);
        return await WaitUntilHealthyAsync(topic, partitions, replicationFactor, timeout);
    }

    /// <summary>The create_topic request of <see cref="CreateTopicAsync"/>, asked of the JSON door at <paramref name="port"/>, without the wait.</summary>
    public static async Task AskToCreateTopicAsync(int port, string topic, int partitions, int replicationFactor, TimeSpan timeout)
    {
        await using (var client = await LineClient.ConnectAsync(port))
        {
            string request = $$"""{"type":"create_topic","id":1,"topic":"{{topic}}","partitions":{{partitions}},"replication_factor":{{replicationFactor}}}""";
            string reply = await client.RequestAsync(request);
            bool retried = false;
            for (var waited = Stopwatch.StartNew(); (reply.Contains(ErrorCode.InvalidReplicationFactor) || reply.Contains(ErrorCode.NotEnoughReplicas))
                 && waited.Elapsed < timeout; retried = true)
            {
                await Task.Delay(200);
                reply = await client.RequestAsync(request);
            }
            if (!reply.Contains("\"ok\":true") && !(retried && reply.Contains(ErrorCode.TopicAlreadyExists)))
                throw new InvalidOperationException($"create_topic {topic}: {reply}");
        }
    }

    /// <summary>Every partition of <paramref name="topic"/> led with an ISR of <paramref name="isr"/> nodes, as every node's metadata says alike.</summary>
    public Task<ClusterMetadata> WaitUntilHealthyAsync(string topic, int partitions, int isr, TimeSpan timeout) =>
        WaitUntilAsync(topic, Healthy(topic, partitions, isr), timeout, HealthyWhat(topic, isr));

    /// <summary><see cref="WaitUntilHealthyAsync(string, int, int, TimeSpan)"/> over the JSON doors of nodes run some other way (in-process hosts).</summary>
    public static Task<ClusterMetadata> WaitUntilHealthyAsync(Func<IReadOnlyList<(int Node, int Port)>> nodes, string topic, int partitions, int isr, TimeSpan timeout) =>
        WaitUntilAsync(nodes, topic, Healthy(topic, partitions, isr), timeout, HealthyWhat(topic, isr));

    private static Func<ClusterMetadata, bool> Healthy(string topic, int partitions, int isr) =>
        m => m.Topics.SingleOrDefault(t => t.Name == topic) is { } t && t.Partitions.Count == partitions
            && t.Partitions.All(p => p.Leader is not null && p.Isr?.Count == isr);

    private static string HealthyWhat(string topic, int isr) => $"every partition of {topic} led with an ISR of {isr}";
}
