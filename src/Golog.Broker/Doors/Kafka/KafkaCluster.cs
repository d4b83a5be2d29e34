namespace Golog.Broker.Doors.Kafka;

/// <summary>A broker as Metadata and FindCoordinator describe it: its node id and the address clients are told to use.</summary>
public sealed record KafkaNode(int NodeId, string Host, int Port);

/// <summary>Who leads a partition and who holds its replicas, in Metadata's terms.</summary>
public sealed record PartitionLeadership(int Leader, IReadOnlyList<int> Replicas, IReadOnlyList<int> InSyncReplicas);

/// <summary>
/// The cluster as the Kafka door shows it. Golog runs on one node today, so every partition is led by this node
/// with itself as the only replica; replication replaces <see cref="Leadership"/> and <see cref="Nodes"/>, and
/// nothing in the APIs that read them changes.
/// </summary>
public sealed class KafkaCluster(KafkaNode self, string clusterId)
{
    private readonly PartitionLeadership _alone = new(self.NodeId, [self.NodeId], [self.NodeId]);

    public KafkaNode Self { get; } = self;
    public string ClusterId { get; } = clusterId;
    public IReadOnlyList<KafkaNode> Nodes { get; } = [self];
    public int ControllerId => Self.NodeId;

    public PartitionLeadership Leadership(string topic, int partition) => _alone;
}
