using System.Collections.Concurrent;
using Golog.Core.Groups;
using Golog.Storage;

namespace Golog.Core;

/// <summary>A broker of the cluster, as clients reach it: its doors' addresses.</summary>
public sealed record ClusterMember(int NodeId, string Host, int Port, int KafkaPort, string Status = ClusterMember.Up)
{
    public const string Up = "up";
    public const string Unreachable = "unreachable";
}

/// <summary>
/// Who leads one partition, in which leader epoch, which nodes hold a copy (<see cref="Replicas"/>) and which of them
/// are in sync (<see cref="Isr"/>). <see cref="Leader"/> is <see cref="NoLeader"/> while an election is under way (no
/// in-sync replica is reachable; unclean election is off, so it waits for one).
/// </summary>
public sealed record PartitionLeadership(int Leader, int Epoch, IReadOnlyList<int> Replicas, IReadOnlyList<int> Isr, int MinInsyncReplicas)
{
    public const int NoLeader = -1;

    /// <summary>Kafka's under-replicated: fewer replicas in sync than the partition has.</summary>
    public bool UnderReplicated => Isr.Count < Replicas.Count;
}

/// <summary>
/// The brokers and partition leaders as this node last learnt them, read by doors and the core on any thread; one
/// writer (the cluster's metadata watcher, or nobody on a single node). On a single node every partition is led here
/// in epoch 0 and the node is the only broker, which is all <see cref="Single"/> ever says.
/// </summary>
public sealed class ClusterView
{
    private readonly ConcurrentDictionary<TopicPartition, PartitionLeadership> _leaders = new();
    private volatile IReadOnlyList<ClusterMember> _brokers;
    private volatile int _controller;

    private ClusterView(int selfId, bool clustered, ClusterMember self, int offsetsPartitions, int offsetsReplicas)
    {
        SelfId = selfId;
        Clustered = clustered;
        OffsetsPartitions = offsetsPartitions;
        OffsetsReplicas = offsetsReplicas;
        _brokers = [self];
        _controller = selfId;
    }

    /// <summary>One node: <paramref name="self"/> leads everything and coordinates every group.</summary>
    public static ClusterView Single(ClusterMember self) => new(self.NodeId, clustered: false, self, 1, 1);

    /// <summary>
    /// A cluster node; until the metadata arrives it knows only itself and leads nothing. Groups are coordinated by
    /// the leaders of the <paramref name="offsetsPartitions"/> partitions of <see cref="OffsetsTopic"/>, created once
    /// <paramref name="offsetsReplicas"/> nodes are up to hold its copies.
    /// </summary>
    public static ClusterView Node(ClusterMember self, int offsetsPartitions, int offsetsReplicas) =>
        new(self.NodeId, clustered: true, self, offsetsPartitions, offsetsReplicas);

    public int SelfId { get; }
    public bool Clustered { get; }

    /// <summary>How many partitions <see cref="OffsetsTopic"/> has (golog.groups.offsets-topic-partitions); 1 on a single node, which keeps its offsets in files.</summary>
    public int OffsetsPartitions { get; }

    /// <summary>
    /// How many nodes must be up before <see cref="OffsetsTopic"/> is created (the default replication factor): a topic
    /// created while the first node is alone would keep a single copy for good (partitions are never reassigned).
    /// </summary>
    public int OffsetsReplicas { get; }
    public IReadOnlyList<ClusterMember> Brokers => _brokers;
    public int Controller => _controller;

    /// <summary>The partition's leadership; on one node (or a partition the metadata does not name yet) this node in epoch 0.</summary>
    public PartitionLeadership LeadershipOf(TopicPartition tp) =>
        _leaders.TryGetValue(tp, out var l) ? l
        : Clustered ? new PartitionLeadership(PartitionLeadership.NoLeader, 0, [], [], 1)
        : new PartitionLeadership(SelfId, 0, [SelfId], [SelfId], 1);

    /// <summary>Whether this node keeps a copy of <paramref name="tp"/> (on one node: every partition).</summary>
    public bool HoldsReplica(TopicPartition tp) => !Clustered || LeadershipOf(tp).Replicas.Contains(SelfId);

    /// <summary>Why a produce or fetch for <paramref name="tp"/> cannot be served here: another node leads it, or none does yet. Null when this node leads it.</summary>
    public BrokerError? NotLeaderHere(TopicPartition tp)
    {
        if (!Clustered) return null;
        var leadership = LeadershipOf(tp);
        if (leadership.Leader == SelfId) return null;
        var leader = _brokers.FirstOrDefault(b => b.NodeId == leadership.Leader);
        return leader is null
            ? new BrokerError(BrokerErrorCode.NotLeader, $"partition {tp} has no leader right now (an election is under way); retry shortly")
            : new BrokerError(BrokerErrorCode.NotLeader, $"node {SelfId} does not lead partition {tp}: node {leader.NodeId} at {leader.Host}:{leader.Port} does",
                Leader: leader);
    }

    /// <summary>The partition of <see cref="OffsetsTopic"/> that holds <paramref name="group"/>'s offsets; its leader coordinates the group.</summary>
    public TopicPartition OffsetsPartitionOf(string group) => new(OffsetsTopic.Name, OffsetsTopic.PartitionFor(group, OffsetsPartitions));

    /// <summary>The node that coordinates <paramref name="group"/>: on one node this one; in a cluster the leader of its offsets partition, null while none leads it.</summary>
    public ClusterMember? CoordinatorOf(string group)
    {
        if (!Clustered) return _brokers.FirstOrDefault(b => b.NodeId == SelfId) ?? _brokers[0];
        int leader = LeadershipOf(OffsetsPartitionOf(group)).Leader;
        return _brokers.FirstOrDefault(b => b.NodeId == leader);
    }

    /// <summary>
    /// Why a request for <paramref name="group"/> cannot be served here: another node coordinates it (named), or none
    /// does yet. Null when the metadata makes this node its coordinator (which may still be loading its offsets).
    /// </summary>
    public BrokerError? NotCoordinatorHere(string group)
    {
        if (!Clustered) return null;
        var offsets = OffsetsPartitionOf(group);
        if (LeadershipOf(offsets).Leader == SelfId) return null;
        return CoordinatorOf(group) is { } coordinator
            ? new BrokerError(BrokerErrorCode.NotCoordinator,
                $"node {SelfId} does not coordinate group {group}: node {coordinator.NodeId} at {coordinator.Host}:{coordinator.Port} does (it leads {offsets})",
                Coordinator: coordinator)
            : new BrokerError(BrokerErrorCode.NotCoordinator, $"group {group} has no coordinator right now ({offsets} has no leader yet); retry shortly");
    }

    public void PublishBrokers(IReadOnlyList<ClusterMember> brokers, int controller)
    {
        _brokers = brokers.OrderBy(b => b.NodeId).ToList();
        _controller = controller;
    }

    public void PublishLeadership(TopicPartition tp, PartitionLeadership leadership) => _leaders[tp] = leadership;

    public void ForgetTopic(string topic)
    {
        foreach (var tp in _leaders.Keys.Where(k => k.Topic == topic)) _leaders.TryRemove(tp, out _);
    }
}
