using Golog.Storage;

namespace Golog.Core.Groups;

/// <summary>A request about one group, routed by the group manager to that group's actor.</summary>
public interface IGroupCommand : ICoreCommand
{
    string Group { get; }
}

public sealed record JoinGroupCommand(string Group, string? MemberId, string ClientId, IReadOnlyList<string> Topics,
    TimeSpan? SessionTimeout) : IGroupCommand;

/// <summary>One assignment protocol a client-assigned member supports, with its metadata (opaque to the broker; for "consumer" its subscription).</summary>
public sealed record GroupProtocol(string Name, byte[] Metadata);

/// <summary>
/// A join of a client-assigned (Kafka) member: its protocols in preference order; the elected leader is answered with
/// every member's metadata and assigns. <see cref="RebalanceTimeout"/> bounds how long a rebalance waits for members
/// to rejoin, apart from the session timeout that bounds silence between heartbeats.
/// </summary>
public sealed record ClientJoinGroupCommand(string Group, string? MemberId, string ClientId, string ClientHost, TimeSpan SessionTimeout,
    TimeSpan RebalanceTimeout, string ProtocolType, IReadOnlyList<GroupProtocol> Protocols) : IGroupCommand;

/// <summary>SyncGroup: every member asks for its assignment; only the leader's carries the assignments (member id → opaque bytes).</summary>
public sealed record SyncGroupCommand(string Group, MemberGeneration Member, IReadOnlyDictionary<string, byte[]> Assignments) : IGroupCommand;

public sealed record HeartbeatCommand(string Group, MemberGeneration Member) : IGroupCommand;

public sealed record LeaveGroupCommand(string Group, string MemberId) : IGroupCommand;

/// <summary>describe_group; the core fills in the high watermarks of the partitions whose logs are open.</summary>
public sealed record DescribeGroupQuery(string Group, IReadOnlyDictionary<TopicPartition, long>? HighWatermarks = null) : IGroupCommand;

/// <summary>Where reset_offsets moves a group's offsets: the log start, the high watermark, or an offset (kept within the two).</summary>
public enum OffsetResetKind { Earliest, Latest, Offset }

public sealed record OffsetReset(OffsetResetKind Kind, long Offset = 0);

/// <summary>
/// Moves a group's committed offsets, only while it has no members (Kafka's rule: a live consumer would commit over
/// them). With a <see cref="Topic"/>, every partition of it; without, every partition the group has committed.
/// <see cref="DryRun"/> answers what would be done and writes nothing. The core fills in <see cref="Bounds"/>.
/// </summary>
public sealed record ResetOffsetsCommand(string Group, string? Topic, OffsetReset To, bool DryRun,
    IReadOnlyDictionary<TopicPartition, PartitionBounds>? Bounds = null) : IGroupCommand;

/// <summary>One partition of a reset: the offset committed before (null: none) and the one committed now (or, dry run, that would be).</summary>
public sealed record ResetPartition(TopicPartition Partition, long? Previous, long Offset);

public sealed record OffsetsReset(string Group, bool DryRun, IReadOnlyList<ResetPartition> Partitions) : ICoreResult;

/// <summary>find_coordinator / Kafka's FindCoordinator: which node coordinates the group; answered <see cref="CoordinatorFound"/>.</summary>
public sealed record FindCoordinatorQuery(string Group) : ICoreCommand;

/// <summary>The group's coordinator; null while its offsets partition has no leader (or the offsets topic does not exist yet).</summary>
public sealed record CoordinatorFound(ClusterMember? Coordinator) : ICoreResult;

/// <summary>
/// From the cluster's metadata watcher, after it applied new metadata: leaderships may have moved, so the group
/// manager starts loading the offsets partitions this node now leads and stops serving those it no longer leads.
/// </summary>
public sealed record CoordinatorsMoved
{
    public static readonly CoordinatorsMoved Instance = new();
}

public sealed record ListGroupsQuery : ICoreCommand
{
    public static readonly ListGroupsQuery Instance = new();
}

/// <summary>From topic lifecycle: a topic was created or gained partitions.</summary>
public sealed record TopicPartitionsChanged(string Topic, int Partitions);

/// <summary>From topic lifecycle: a topic was deleted, so every group drops its offsets for it (answered <see cref="TopicForgotten"/>).</summary>
public sealed record ForgetTopic(string Topic);

public sealed record TopicForgotten
{
    public static readonly TopicForgotten Instance = new();
}

/// <summary>From the group manager to a group's actor, for list_groups.</summary>
public sealed record GroupSummaryQuery
{
    public static readonly GroupSummaryQuery Instance = new();
}

public sealed record GroupJoined(JoinedGroup Joined) : ICoreResult;

/// <summary>A member of the new generation and its metadata for the chosen protocol, as handed to the leader.</summary>
public sealed record GroupProtocolMember(string MemberId, byte[] Metadata);

/// <summary>A client-assigned join completed: the generation, chosen protocol and leader; <see cref="Members"/> is filled for the leader only.</summary>
public sealed record ClientGroupJoined(int GenerationId, string Protocol, string LeaderId, string MemberId, IReadOnlyList<GroupProtocolMember> Members) : ICoreResult;

/// <summary>The assignment the leader gave this member (empty bytes if it gave none).</summary>
public sealed record GroupSynced(byte[] Assignment) : ICoreResult;

/// <summary>A heartbeat or leave that went through.</summary>
public sealed record GroupAcknowledged : ICoreResult
{
    public static readonly GroupAcknowledged Instance = new();
}

public sealed record GroupDescribed(GroupDescription Description) : ICoreResult;

public sealed record GroupsListed(IReadOnlyList<GroupListing> Groups) : ICoreResult;
