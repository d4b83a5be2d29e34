namespace Golog.Protocol;

/// <summary>
/// One partition in a metadata reply. The replication members (<see cref="Leader"/>, <see cref="Replicas"/>,
/// <see cref="Isr"/>, <see cref="LeaderEpoch"/>) are null when the broker did not send them (a broker from before
/// replication): a reader then takes the broker it asked to lead every partition.
/// </summary>
public sealed record PartitionMetadata(int Partition, long LogStartOffset, long HighWatermark)
{
    /// <summary>The node id of the partition's leader; null while an election is under way (or from an older broker).</summary>
    public int? Leader { get; init; }
    public IReadOnlyList<int>? Replicas { get; init; }
    /// <summary>The in-sync replicas, the leader among them.</summary>
    public IReadOnlyList<int>? Isr { get; init; }
    public int? LeaderEpoch { get; init; }

    /// <summary>Fewer in-sync replicas than replicas: a replica is behind or down.</summary>
    public bool UnderReplicated => Replicas is { } replicas && Isr is { } isr && isr.Count < replicas.Count;
}

public sealed record TopicMetadata(string Name, IReadOnlyList<PartitionMetadata> Partitions);

/// <summary>A node of the cluster as a metadata reply lists it: where its JSON door (and Kafka door, if on) listen, and its state.</summary>
public sealed record BrokerNode(int NodeId, string Host, int Port, int? KafkaPort, string Status)
{
    public NodeAddress Address => new(NodeId, Host, Port);
}

/// <summary>Where a node's JSON door listens; the leader hint of a not_leader error.</summary>
public sealed record NodeAddress(int NodeId, string Host, int Port);

/// <summary>The states a node has in a metadata reply's "brokers" (Akka.Cluster's membership, in a user's words).</summary>
public static class BrokerStatus
{
    public const string Up = "up";
    public const string Unreachable = "unreachable";
    public const string Leaving = "leaving";
}
