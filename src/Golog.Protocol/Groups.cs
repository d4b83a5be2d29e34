namespace Golog.Protocol;

/// <summary>Who speaks in a heartbeat or a fenced commit: a member id and the generation it joined.</summary>
public readonly record struct MemberGeneration(string MemberId, int GenerationId);

/// <summary>Some partitions of one topic, as in a member's assignment.</summary>
public sealed record TopicAssignment(string Topic, IReadOnlyList<int> Partitions);

/// <summary>
/// A join_group answer: the member's id, the generation it joined and the partitions it owns in it. Kafka splits
/// this between JoinGroup (generation, member id, protocol) and SyncGroup (assignment).
/// </summary>
public sealed record JoinedGroup(string Group, int GenerationId, string MemberId, string Protocol, int HeartbeatIntervalMs,
    int SessionTimeoutMs, IReadOnlyList<TopicAssignment> Assignment);

public sealed record GroupMemberInfo(string MemberId, string ClientId, IReadOnlyList<string> Topics, IReadOnlyList<TopicAssignment> Assignment);

/// <summary>One partition of a group: its committed offset (null: none), high watermark (null: not known yet) and owner.</summary>
public sealed record GroupPartitionOffset(string Topic, int Partition, long? Committed, long? HighWatermark, string? MemberId)
{
    /// <summary>Messages the group has yet to commit; null without a committed offset or a known high watermark (Kafka shows "-").</summary>
    public long? Lag => Committed is { } c && HighWatermark is { } hw ? Math.Max(0, hw - c) : null;
}

public sealed record GroupDescription(string Group, string State, int GenerationId, string Protocol,
    IReadOnlyList<GroupMemberInfo> Members, IReadOnlyList<GroupPartitionOffset> Offsets);

public sealed record GroupListing(string Group, string State, int Members);

/// <summary>One partition of a reset_offsets answer: the offset committed before (null: none) and the one committed now (dry run: that would be).</summary>
public sealed record OffsetResetEntry(string Topic, int Partition, long? Previous, long Offset);
