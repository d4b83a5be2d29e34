using Golog.Protocol;

namespace Golog.Client;

// Consumer-group coordination requests (docs/protocol.md, "consumer groups").
public sealed partial class GologClient
{
    /// <summary>
    /// The node that coordinates <paramref name="group"/> in a cluster; null while none does (the group's offsets
    /// partition is between leaders). Group requests sent elsewhere are answered not_coordinator.
    /// </summary>
    /// <exception cref="GologException">unknown_type from a broker that does not know the request: it coordinates every group itself.</exception>
    public async Task<NodeAddress?> FindCoordinatorAsync(string group, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(group);
        var reply = await SendAsync((w, id) => w.FindCoordinator(id, group), cancellationToken).ConfigureAwait(false);
        return reply.Coordinator;
    }

    /// <summary>
    /// Joins <paramref name="group"/> (as a new member when <paramref name="memberId"/> is null) and waits until the
    /// broker completes the rebalance, which may take until every other member has rejoined.
    /// </summary>
    /// <exception cref="GologException">unknown_member_id (join again as new), invalid_session_timeout, ...</exception>
    public async Task<JoinedGroup> JoinGroupAsync(string group, IReadOnlyList<string> topics, string? memberId = null,
        TimeSpan? sessionTimeout = null, string? clientId = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(group);
        int? sessionMs = sessionTimeout is { } st ? (int)st.TotalMilliseconds : null;
        var reply = await SendAsync((w, id) => w.JoinGroup(id, group, topics, memberId, sessionMs, clientId), cancellationToken).ConfigureAwait(false);
        return new JoinedGroup(reply.Group ?? group, Require(reply.GenerationId, "generation_id"),
            reply.MemberId ?? throw MissingMember("member_id"), reply.Protocol ?? "", Require(reply.HeartbeatIntervalMs, "heartbeat_interval_ms"),
            Require(reply.SessionTimeoutMs, "session_timeout_ms"), reply.Assignment ?? []);
    }

    /// <exception cref="GologException">rebalance_in_progress (commit and rejoin), illegal_generation, unknown_member_id.</exception>
    public async Task HeartbeatAsync(string group, MemberGeneration member, CancellationToken cancellationToken = default) =>
        await SendAsync((w, id) => w.Heartbeat(id, group, member), cancellationToken).ConfigureAwait(false);

    public async Task LeaveGroupAsync(string group, string memberId, CancellationToken cancellationToken = default) =>
        await SendAsync((w, id) => w.LeaveGroup(id, group, memberId), cancellationToken).ConfigureAwait(false);

    /// <exception cref="GologException">unknown_group when the broker knows neither members nor committed offsets of it.</exception>
    public async Task<GroupDescription> DescribeGroupAsync(string group, CancellationToken cancellationToken = default)
    {
        var reply = await SendAsync((w, id) => w.DescribeGroup(id, group), cancellationToken).ConfigureAwait(false);
        return new GroupDescription(reply.Group ?? group, reply.State ?? "", reply.GenerationId ?? 0, reply.Protocol ?? "",
            reply.Members ?? [], reply.Offsets ?? [], reply.Kind ?? GroupKinds.BrokerAssigned);
    }

    /// <summary>
    /// Moves <paramref name="group"/>'s offsets (of <paramref name="topic"/>, or of every partition it has committed) to
    /// <paramref name="to"/>: "earliest", "latest" or "offset" with <paramref name="offset"/>; a dry run only reports.
    /// </summary>
    /// <exception cref="GologException">group_not_empty while the group has members, unknown_group, ...</exception>
    public async Task<List<OffsetResetEntry>> ResetOffsetsAsync(string group, string? topic, string to, long? offset = null, bool dryRun = false,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(group);
        var reply = await SendAsync((w, id) => w.ResetOffsets(id, group, topic, to, offset, dryRun), cancellationToken).ConfigureAwait(false);
        return reply.Reset ?? [];
    }

    public async Task<List<GroupListing>> ListGroupsAsync(CancellationToken cancellationToken = default)
    {
        var reply = await SendAsync((w, id) => w.ListGroups(id), cancellationToken).ConfigureAwait(false);
        return reply.Groups ?? [];
    }
}
