using System.Collections.Concurrent;
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

    private ClusterView(int selfId, bool clustered, ClusterMember self)
    {
        SelfId = selfId;
        Clustered = clustered;
        _brokers = [self];
        _controller = selfId;
    }

    /// <summary>One node: <paramref name="self"/> leads everything.</summary>
    public static ClusterView Single(ClusterMember self) => new(self.NodeId, clustered: false, self);

    /// <summary>A cluster node; until the metadata arrives it knows only itself and leads nothing.</summary>
    public static ClusterView Node(ClusterMember self) => new(self.NodeId, clustered: true, self);

    public int SelfId { get; }
    public bool Clustered { get; }
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
