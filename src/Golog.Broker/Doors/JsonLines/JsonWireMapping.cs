using Golog.Broker.Doors.Kafka;
using Golog.Core;
using Golog.Protocol;
using Domain = Golog.Core.Groups;

namespace Golog.Broker.Doors.JsonLines;

/// <summary>Translates between the core's vocabulary and the JSON-lines wire types of Golog.Protocol (docs/protocol.md).</summary>
public static class JsonWireMapping
{
    private static readonly Dictionary<string, BrokerErrorCode> ByJsonCode =
        Enum.GetValues<BrokerErrorCode>().ToDictionary(c => c.Wire().Json);

    public static ProtocolError ToWire(BrokerError e) => new(e.Code.Wire().Json, e.Message, e.LogStartOffset, e.HighWatermark)
    {
        Leader = Address(e.Leader),
        Coordinator = Address(e.Coordinator),
    };

    /// <summary>A node's JSON door, as not_leader and not_coordinator name it.</summary>
    public static NodeAddress? Address(ClusterMember? node) => node is null ? null : new NodeAddress(node.NodeId, node.Host, node.Port);

    /// <summary>A broker as metadata lists it; a Kafka port of 0 means the node's Kafka door is off.</summary>
    public static BrokerNode ToWire(ClusterMember b) => new(b.NodeId, b.Host, b.Port, b.KafkaPort == 0 ? null : b.KafkaPort, b.Status);

    /// <summary>A parser error, in the core's terms (every code the parser uses is a <see cref="BrokerErrorCode"/>, a test checks it).</summary>
    public static BrokerError FromWire(ProtocolError e) => new(ByJsonCode[e.Code], e.Message, e.LogStartOffset, e.HighWatermark);

    public static string StateName(Domain.GroupState state) => state switch
    {
        Domain.GroupState.Empty => "empty",
        Domain.GroupState.PreparingRebalance => "preparing_rebalance",
        Domain.GroupState.CompletingRebalance => "completing_rebalance",
        _ => "stable",
    };

    public static IReadOnlyList<TopicMetadata> ToWire(IReadOnlyList<TopicBounds> topics) =>
        topics.Select(t => new TopicMetadata(t.Name, t.Partitions.Select((p, i) => t.Leaders is { } leaders
                ? new PartitionMetadata(p.Partition, p.LogStartOffset, p.HighWatermark)
                {
                    Leader = leaders[i].Leader == PartitionLeadership.NoLeader ? null : leaders[i].Leader,
                    Replicas = leaders[i].Replicas, Isr = leaders[i].Isr, LeaderEpoch = leaders[i].Epoch,
                }
                : new PartitionMetadata(p.Partition, p.LogStartOffset, p.HighWatermark)).ToList()))
            .ToList();

    public static Acks ToCore(AckLevel acks) => acks switch
    {
        AckLevel.Leader => Acks.Leader,
        AckLevel.None => Acks.None,
        _ => Acks.All,
    };

    public static JoinedGroup ToWire(Domain.JoinedGroup j) => new(j.Group, j.GenerationId, j.MemberId, j.Protocol,
        (int)j.HeartbeatInterval.TotalMilliseconds, (int)j.SessionTimeout.TotalMilliseconds, ToWire(j.Assignment));

    /// <summary>
    /// describe_group. A Kafka consumer group's members are shown like a JSON-door group's: their subscriptions and
    /// assignments read from the consumer-protocol bytes the coordinator keeps (<see cref="ConsumerProtocol"/>), and
    /// each partition's owner from those assignments.
    /// </summary>
    public static GroupDescription ToWire(Domain.GroupDescription d)
    {
        var members = d.Members.Select(m => m.Client is { } c && d.ProtocolType == ConsumerProtocol.Type
            ? new GroupMemberInfo(m.MemberId, m.ClientId, ConsumerProtocol.SubscribedTopics(c.Metadata) ?? [],
                (ConsumerProtocol.AssignedPartitions(c.Assignment) ?? []).Select(a => new TopicAssignment(a.Topic, a.Partitions)).ToList())
            : new GroupMemberInfo(m.MemberId, m.ClientId, m.Topics, ToWire(m.Assignment))).ToList();
        var owners = members.SelectMany(m => m.Assignment.SelectMany(a => a.Partitions.Select(p => ((a.Topic, p), m.MemberId))))
            .DistinctBy(x => x.Item1).ToDictionary(x => x.Item1, x => x.MemberId);
        return new GroupDescription(d.Group, StateName(d.State), d.GenerationId, d.Protocol, members,
            d.Offsets.Select(o => new GroupPartitionOffset(o.Partition.Topic, o.Partition.Partition, o.Committed, o.HighWatermark,
                o.MemberId ?? owners.GetValueOrDefault((o.Partition.Topic, o.Partition.Partition)))).ToList(), KindName(d.Kind));
    }

    public static IReadOnlyList<GroupListing> ToWire(IReadOnlyList<Domain.GroupListing> groups) =>
        groups.Select(g => new GroupListing(g.Group, StateName(g.State), g.Members, KindName(g.Kind))).ToList();

    private static string KindName(Domain.GroupKind kind) =>
        kind == Domain.GroupKind.ClientAssigned ? GroupKinds.ClientAssigned : GroupKinds.BrokerAssigned;

    public static IReadOnlyList<OffsetResetEntry> ToWire(IReadOnlyList<Domain.ResetPartition> reset) =>
        reset.Select(r => new OffsetResetEntry(r.Partition.Topic, r.Partition.Partition, r.Previous, r.Offset)).ToList();

    /// <summary>reset_offsets' "to" (the parser has checked it is one of these).</summary>
    public static Domain.OffsetReset ResetTarget(string to, long? offset) => to switch
    {
        "earliest" => new(Domain.OffsetResetKind.Earliest),
        "latest" => new(Domain.OffsetResetKind.Latest),
        _ => new(Domain.OffsetResetKind.Offset, offset!.Value),
    };

    private static IReadOnlyList<TopicAssignment> ToWire(IReadOnlyList<Domain.TopicAssignment> assignment) =>
        assignment.Select(a => new TopicAssignment(a.Topic, a.Partitions)).ToList();
}
