namespace Golog.Protocol;

/// <summary>
/// A partition in a metadata reply: its bounds and, from a broker that replicates, its leader's node id (null while
/// none is elected), replicas, in-sync replicas and leader epoch.
/// </summary>
public sealed record PartitionMetadata(int Partition, long LogStartOffset, long HighWatermark, int? Leader = null,
    IReadOnlyList<int>? Replicas = null, IReadOnlyList<int>? Isr = null, int? LeaderEpoch = null);

public sealed record TopicMetadata(string Name, IReadOnlyList<PartitionMetadata> Partitions);

/// <summary>A broker in a metadata reply (and the leader named by not_leader): node id, JSON door, Kafka door, status.</summary>
public sealed record MetadataBroker(int NodeId, string Host, int Port, int KafkaPort = 0, string Status = "up");

/// <summary>The cluster part of a metadata reply: every broker and the node id of the controller.</summary>
public sealed record ClusterMetadata(IReadOnlyList<MetadataBroker> Brokers, int Controller);
