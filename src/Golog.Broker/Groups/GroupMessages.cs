using Golog.Protocol;
using Golog.Storage;

namespace Golog.Broker.Groups;

/// <summary>A request about one group, routed by the group manager to that group's actor.</summary>
public interface IGroupCommand
{
    long Seq { get; }
    string Group { get; }
}

public sealed record JoinGroupCommand(long Seq, string Group, string? MemberId, string ClientId, IReadOnlyList<string> Topics,
    TimeSpan? SessionTimeout) : IGroupCommand;

public sealed record HeartbeatCommand(long Seq, string Group, MemberGeneration Member) : IGroupCommand;

public sealed record LeaveGroupCommand(long Seq, string Group, string MemberId) : IGroupCommand;

/// <summary>describe_group; the topic manager fills in the high watermarks of the partitions whose logs are open.</summary>
public sealed record DescribeGroupQuery(long Seq, string Group, IReadOnlyDictionary<TopicPartition, long>? HighWatermarks = null) : IGroupCommand;

public sealed record ListGroupsQuery(long Seq);

/// <summary>From the topic manager: a topic was created or gained partitions.</summary>
public sealed record TopicPartitionsChanged(string Topic, int Partitions);

/// <summary>From the group manager to a group's actor, for list_groups.</summary>
public sealed record GroupSummaryQuery
{
    public static readonly GroupSummaryQuery Instance = new();
}

// Replies to a connection.

public sealed record GroupJoined(long Seq, JoinedGroup Joined);

/// <summary>A heartbeat or leave that went through: the reply is a bare "ok".</summary>
public sealed record GroupAcknowledged(long Seq);

public sealed record GroupDescribed(long Seq, GroupDescription Description);

public sealed record GroupsListed(long Seq, IReadOnlyList<GroupListing> Groups);
