using Golog.Storage;

namespace Golog.Core.Groups;

public enum GroupState { Empty, PreparingRebalance, Stable }

/// <summary>Who speaks in a heartbeat or a fenced commit: a member id and the generation it joined.</summary>
public readonly record struct MemberGeneration(string MemberId, int GenerationId);

/// <summary>Some partitions of one topic, as in a member's assignment.</summary>
public sealed record TopicAssignment(string Topic, IReadOnlyList<int> Partitions);

/// <summary>A member's place in a generation: its id, the generation, the assignor, its session terms and its partitions.</summary>
public sealed record JoinedGroup(string Group, int GenerationId, string MemberId, string Protocol, TimeSpan HeartbeatInterval,
    TimeSpan SessionTimeout, IReadOnlyList<TopicAssignment> Assignment);

public sealed record GroupMemberInfo(string MemberId, string ClientId, IReadOnlyList<string> Topics, IReadOnlyList<TopicAssignment> Assignment);

/// <summary>One partition of a group: its committed offset (null: none), high watermark (null: not known yet) and owner.</summary>
public sealed record GroupPartitionOffset(TopicPartition Partition, long? Committed, long? HighWatermark, string? MemberId)
{
    /// <summary>Messages the group has yet to commit; null without a committed offset or a known high watermark (Kafka shows "-").</summary>
    public long? Lag => Committed is { } c && HighWatermark is { } hw ? Math.Max(0, hw - c) : null;
}

public sealed record GroupDescription(string Group, GroupState State, int GenerationId, string Protocol,
    IReadOnlyList<GroupMemberInfo> Members, IReadOnlyList<GroupPartitionOffset> Offsets);

public sealed record GroupListing(string Group, GroupState State, int Members);
