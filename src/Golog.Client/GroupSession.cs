using Golog.Protocol;

namespace Golog.Client;

/// <summary>
/// Membership in a consumer group, at the group's coordinator (<see cref="GroupCoordinator"/>: found, followed when it
/// moves, over a connection of its own, since heartbeats must not queue behind long-poll fetches). Joins, then
/// heartbeats in the background at the interval the broker gave. When the broker says the group is rebalancing, or
/// that this member is stale or unknown, or the coordinator is lost, <see cref="RebalanceRequired"/> is cancelled and
/// heartbeats stop: the owner commits what it processed and calls <see cref="RejoinAsync"/> (which rejoins as a new member if the old id is gone).
/// </summary>
public sealed class GroupSession : IAsyncDisposable
{
    private readonly GroupCoordinator _coordinator;
    private readonly IReadOnlyList<string> _topics;
    private readonly TimeSpan? _sessionTimeout;
    private readonly string _clientId;
    private CancellationTokenSource _rebalance = new();
    private CancellationTokenSource? _heartbeatStop; // null while no heartbeats run
    private Task _heartbeats = Task.CompletedTask;

    private GroupSession(GroupCoordinator coordinator, IReadOnlyList<string> topics, TimeSpan? sessionTimeout, string clientId)
    {
        _coordinator = coordinator;
        _topics = topics;
        _sessionTimeout = sessionTimeout;
        _clientId = clientId;
    }

    /// <summary>The generation this member is in and the partitions it owns there.</summary>
    public JoinedGroup Current { get; private set; } = null!;

    public MemberGeneration Member => new(Current.MemberId, Current.GenerationId);

    /// <summary>Cancelled when this member must stop consuming, commit and rejoin.</summary>
    public CancellationToken RebalanceRequired => _rebalance.Token;

    /// <summary>Why <see cref="RebalanceRequired"/> fired: an error code, or a connection problem.</summary>
    public string? RebalanceReason { get; private set; }

    /// <summary>Joins (again, if <paramref name="previousMemberId"/> is given and the broker still knows it) and starts heartbeating.</summary>
    public static async Task<GroupSession> JoinAsync(GroupCoordinator coordinator, IReadOnlyList<string> topics,
        TimeSpan? sessionTimeout, string clientId, string? previousMemberId = null, CancellationToken cancellationToken = default)
    {
        var session = new GroupSession(coordinator, topics, sessionTimeout, clientId);
        await session.JoinAsync(previousMemberId, cancellationToken).ConfigureAwait(false);
        return session;
    }

    /// <summary>Stops heartbeats, joins the next generation and heartbeats again.</summary>
    public async Task RejoinAsync(CancellationToken cancellationToken)
    {
        await StopHeartbeatsAsync().ConfigureAwait(false);
        await JoinAsync(Current.MemberId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Leaves the group so the others rebalance at once instead of after this member's session timeout.</summary>
    public async Task LeaveAsync(CancellationToken cancellationToken)
    {
        await StopHeartbeatsAsync().ConfigureAwait(false);
        await _coordinator.LeaveAsync(Current.MemberId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Commits as this member of the current generation (fenced by the coordinator: a stale member is refused).</summary>
    public Task CommitAsync(string topic, int partition, long offset, CancellationToken cancellationToken) =>
        _coordinator.CommitAsync(topic, partition, offset, Member, cancellationToken);

    /// <summary>The group's committed offset of a partition; null when it has committed nothing.</summary>
    public Task<long?> CommittedAsync(string topic, int partition, CancellationToken cancellationToken) =>
        _coordinator.CommittedAsync(topic, partition, cancellationToken);

    private async Task JoinAsync(string? memberId, CancellationToken cancellationToken)
    {
        try
        {
            Current = await _coordinator.JoinAsync(_topics, memberId, _sessionTimeout, _clientId, cancellationToken).ConfigureAwait(false);
        }
        catch (GologException e) when (memberId is not null && e.Code == ErrorCode.UnknownMemberId)
        {
            // evicted meanwhile (or the broker restarted, or the coordinator moved): the old identity is gone, join as new
            Current = await _coordinator.JoinAsync(_topics, null, _sessionTimeout, _clientId, cancellationToken).ConfigureAwait(false);
        }
        _rebalance.Dispose();
        _rebalance = new CancellationTokenSource();
        _heartbeatStop = new CancellationTokenSource();
        RebalanceReason = null;
        _heartbeats = HeartbeatLoopAsync(Current, _heartbeatStop.Token);
    }

    private async Task HeartbeatLoopAsync(JoinedGroup joined, CancellationToken stop)
    {
        var interval = TimeSpan.FromMilliseconds(Math.Max(1, joined.HeartbeatIntervalMs));
        var member = new MemberGeneration(joined.MemberId, joined.GenerationId);
        try
        {
            while (true)
            {
                await Task.Delay(interval, stop).ConfigureAwait(false);
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stop);
                timeout.CancelAfter(TimeSpan.FromMilliseconds(joined.SessionTimeoutMs)); // no answer within a session: we are gone anyway
                await _coordinator.HeartbeatAsync(member, timeout.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // stopped by the owner
        }
        catch (GologException e)
        {
            Signal(e.Code);
        }
        catch (Exception e) when (e is BrokerUnavailableException or OperationCanceledException)
        {
            Signal("connection: " + e.Message);
        }
    }

    private void Signal(string reason)
    {
        RebalanceReason = reason;
        _rebalance.Cancel();
    }

    private async Task StopHeartbeatsAsync()
    {
        if (_heartbeatStop is null) return;
        await _heartbeatStop.CancelAsync().ConfigureAwait(false);
        await _heartbeats.ConfigureAwait(false);
        _heartbeatStop.Dispose();
        _heartbeatStop = null;
    }

    public async ValueTask DisposeAsync()
    {
        await StopHeartbeatsAsync().ConfigureAwait(false);
        _rebalance.Dispose();
    }
}
