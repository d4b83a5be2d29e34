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
        await using (var client = await LineClient.ConnectAsync(_running.First(r => !_paused.Contains(r.Key)).Value.Port))
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
        return await WaitUntilHealthyAsync(topic, partitions, replicationFactor, timeout);
    }

    /// <summary>Every partition of <paramref name="topic"/> led with an ISR of <paramref name="isr"/> nodes, as every node's metadata says alike.</summary>
    public Task<ClusterMetadata> WaitUntilHealthyAsync(string topic, int partitions, int isr, TimeSpan timeout) =>
        WaitUntilAsync(topic, m => m.Topics.SingleOrDefault(t => t.Name == topic) is { } t && t.Partitions.Count == partitions
            && t.Partitions.All(p => p.Leader is not null && p.Isr?.Count == isr),
            timeout, $"every partition of {topic} led with an ISR of {isr}");
}
