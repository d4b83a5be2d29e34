using Golog.Storage;

namespace Golog.Core.Groups;

/// <summary>Kafka's classic group states; CompletingRebalance only for client-assigned groups (waiting for the leader's SyncGroup).</summary>
public enum GroupState { Empty, PreparingRebalance, CompletingRebalance, Stable }

/// <summary>
/// Who assigns a group's partitions: the broker (JSON-door members name topics, the broker splits them) or the client
/// (Kafka members send opaque protocol metadata, their elected leader assigns and the broker hands the bytes out).
/// A group is of one kind while it has members; an empty group takes the kind of whoever joins next.
/// </summary>
public enum GroupKind { BrokerAssigned, ClientAssigned }

/// <summary>Who speaks in a heartbeat or a fenced commit: a member id and the generation it joined.</summary>
public readonly record struct MemberGeneration(string MemberId, int GenerationId);

/// <summary>Some partitions of one topic, as in a member's assignment.</summary>
public sealed record TopicAssignment(string Topic, IReadOnlyList<int> Partitions);

/// <summary>A member's place in a generation: its id, the generation, the assignor, its session terms and its partitions.</summary>
public sealed record JoinedGroup(string Group, int GenerationId, string MemberId, string Protocol, TimeSpan HeartbeatInterval,
    TimeSpan SessionTimeout, IReadOnlyList<TopicAssignment> Assignment);

/// <summary>A member as describe shows it; <see cref="Client"/> is set for members of client-assigned groups, whose topics and assignment the broker does not read.</summary>
public sealed record GroupMemberInfo(string MemberId, string ClientId, IReadOnlyList<string> Topics, IReadOnlyList<TopicAssignment> Assignment,
    ClientMemberDetails? Client = null);

/// <summary>What a client-assigned member told the group: its host, its metadata for the chosen protocol and the assignment its leader gave it (both opaque).</summary>
public sealed record ClientMemberDetails(string ClientHost, byte[] Metadata, byte[] Assignment);

/// <summary>One partition of a group: its committed offset (null: none), high watermark (null: not known yet) and owner.</summary>
public sealed record GroupPartitionOffset(TopicPartition Partition, long? Committed, long? HighWatermark, string? MemberId)
{
    /// <summary>Messages the group has yet to commit; null without a committed offset or a known high watermark (Kafka shows "-").</summary>
    public long? Lag => Committed is { } c && HighWatermark is { } hw ? Math.Max(0, hw - c) : null;
}

/// <summary>A group as an operator sees it; <see cref="ProtocolType"/> is the client-assigned group's ("consumer"), empty otherwise.</summary>
public sealed record GroupDescription(string Group, GroupState State, int GenerationId, string Protocol,
    IReadOnlyList<GroupMemberInfo> Members, IReadOnlyList<GroupPartitionOffset> Offsets,
    GroupKind Kind = GroupKind.BrokerAssigned, string ProtocolType = "");

public sealed record GroupListing(string Group, GroupState State, int Members, GroupKind Kind = GroupKind.BrokerAssigned, string ProtocolType = "");
