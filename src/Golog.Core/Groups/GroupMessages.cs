using Golog.Storage;

namespace Golog.Core.Groups;

/// <summary>A request about one group, routed by the group manager to that group's actor.</summary>
public interface IGroupCommand : ICoreCommand
{
    string Group { get; }
}

public sealed record JoinGroupCommand(string Group, string? MemberId, string ClientId, IReadOnlyList<string> Topics,
    TimeSpan? SessionTimeout) : IGroupCommand;

public sealed record HeartbeatCommand(string Group, MemberGeneration Member) : IGroupCommand;

public sealed record LeaveGroupCommand(string Group, string MemberId) : IGroupCommand;

/// <summary>describe_group; the core fills in the high watermarks of the partitions whose logs are open.</summary>
public sealed record DescribeGroupQuery(string Group, IReadOnlyDictionary<TopicPartition, long>? HighWatermarks = null) : IGroupCommand;

public sealed record ListGroupsQuery : ICoreCommand
{
    public static readonly ListGroupsQuery Instance = new();
}

/// <summary>From topic lifecycle: a topic was created or gained partitions.</summary>
public sealed record TopicPartitionsChanged(string Topic, int Partitions);

/// <summary>From the group manager to a group's actor, for list_groups.</summary>
public sealed record GroupSummaryQuery
{
    public static readonly GroupSummaryQuery Instance = new();
}

public sealed record GroupJoined(JoinedGroup Joined) : ICoreResult;

/// <summary>A heartbeat or leave that went through.</summary>
public sealed record GroupAcknowledged : ICoreResult
{
    public static readonly GroupAcknowledged Instance = new();
}

public sealed record GroupDescribed(GroupDescription Description) : ICoreResult;

public sealed record GroupsListed(IReadOnlyList<GroupListing> Groups) : ICoreResult;
