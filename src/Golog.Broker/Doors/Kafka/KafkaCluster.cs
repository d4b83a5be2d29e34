using Golog.Core;
using Golog.Storage;

namespace Golog.Broker.Doors.Kafka;

/// <summary>A broker as Metadata and FindCoordinator describe it: its node id and the address clients are told to use.</summary>
public sealed record KafkaNode(int NodeId, string Host, int Port);

/// <summary>
/// The cluster as the Kafka door shows it: the brokers with their Kafka doors' addresses (this node's as advertised)
/// and each partition's leader, replicas and in-sync replicas, from the core's <see cref="ClusterView"/>. Without one
/// (a codec built alone, as the fuzz tests do) this node is the only broker and leads everything.
/// </summary>
public sealed class KafkaCluster(KafkaNode self, string clusterId, ClusterView? view = null)
{
    private readonly ClusterView _view = view ?? ClusterView.Single(new ClusterMember(self.NodeId, self.Host, 0, self.Port));

    public KafkaNode Self { get; } = self;
    public string ClusterId { get; } = clusterId;

    public IReadOnlyList<KafkaNode> Nodes => _view.Brokers.Select(NodeOf).ToList();

    /// <summary>A broker's Kafka door (this node's as advertised).</summary>
    public KafkaNode NodeOf(ClusterMember broker) => broker.NodeId == Self.NodeId ? Self : new KafkaNode(broker.NodeId, broker.Host, broker.KafkaPort);

    public int ControllerId => _view.Controller;

    public PartitionLeadership Leadership(string topic, int partition) => _view.LeadershipOf(new TopicPartition(topic, partition));
}
