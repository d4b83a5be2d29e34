using Golog.Protocol;

namespace Golog.Client;

/// <summary>Where a produced batch was stored: consecutive offsets BaseOffset..LastOffset of one partition.</summary>
public sealed record ProduceResult(string Topic, int Partition, long BaseOffset, long LastOffset);

/// <summary>
/// Records from one partition starting at the requested offset (possibly none, after a long poll timed out), with the
/// partition's bounds at the time of the fetch.
/// </summary>
public sealed record FetchResult(string Topic, int Partition, long HighWatermark, long LogStartOffset, IReadOnlyList<FetchedRecord> Records);

/// <summary>
/// A metadata reply whole: the cluster's nodes and controller (null from a broker before replication, which is then
/// the one node) and the topics with each partition's leader, replicas and in-sync replicas.
/// </summary>
public sealed record ClusterMetadata(IReadOnlyList<BrokerNode>? Brokers, int? Controller, IReadOnlyList<TopicMetadata> Topics)
{
    public IEnumerable<(string Topic, PartitionMetadata Partition)> Partitions => Topics.SelectMany(t => t.Partitions.Select(p => (t.Name, p)));
}
