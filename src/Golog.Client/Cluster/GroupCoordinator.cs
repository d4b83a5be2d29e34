using System.Runtime.ExceptionServices;
using Golog.Protocol;

namespace Golog.Client;

/// <summary>
/// The coordinator of one consumer group, found and followed. It asks find_coordinator of any node (a broker that does
/// not know the request, one from before coordinators moved, coordinates every group itself: then the node asked is
/// the coordinator), and talks to the coordinator over a connection of its own, since heartbeats must not queue behind
/// long-poll fetches. A group request answered not_coordinator goes to the node the answer names (or, with none named,
/// find_coordinator is asked again); coordinator_loading, a lost connection or no answer within the request timeout
/// are retried too, all with the backoff of <see cref="ClusterClientOptions.Retry"/>. Thread-safe.
/// </summary>
public sealed class GroupCoordinator : IAsyncDisposable
{
    /// <summary>
    /// How long the broker may park a join on purpose: until every member rejoined or the longest session timeout ran
    /// out, which golog.groups.max-session-timeout caps (5 minutes by default).
    /// </summary>
    private static readonly TimeSpan JoinPark = TimeSpan.FromMinutes(5);

    private readonly Func<CancellationToken, Task<GologClient>> _anyNode;
    private readonly ClusterClientOptions _options;
    private readonly SemaphoreSlim _lock = new(1, 1);
    private BrokerAddress? _address;  // lock: _lock. Where the coordinator is; null: ask find_coordinator.
    private GologClient? _connection; // lock: _lock

    internal GroupCoordinator(string group, Func<CancellationToken, Task<GologClient>> anyNode, ClusterClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(group);
        Group = group;
        _anyNode = anyNode;
        _options = options;
    }

    public string Group { get; }

    /// <summary>Where the coordinator was last found; null before the first request.</summary>
    public BrokerAddress? Address => _address;

    /// <inheritdoc cref="GologClient.JoinGroupAsync"/>
    public Task<JoinedGroup> JoinAsync(IReadOnlyList<string> topics, string? memberId, TimeSpan? sessionTimeout, string? clientId,
        CancellationToken cancellationToken) =>
        CallAsync((c, t) => c.JoinGroupAsync(Group, topics, memberId, sessionTimeout, clientId, t), JoinPark, cancellationToken);

    public Task HeartbeatAsync(MemberGeneration member, CancellationToken cancellationToken) =>
        CallAsync((c, t) => Done(c.HeartbeatAsync(Group, member, t)), TimeSpan.Zero, cancellationToken);

    public Task LeaveAsync(string memberId, CancellationToken cancellationToken) =>
        CallAsync((c, t) => Done(c.LeaveGroupAsync(Group, memberId, t)), TimeSpan.Zero, cancellationToken);

    /// <inheritdoc cref="GologClient.CommitAsync"/>
    public Task CommitAsync(string topic, int partition, long offset, MemberGeneration? member, CancellationToken cancellationToken) =>
        CallAsync((c, t) => Done(c.CommitAsync(Group, topic, partition, offset, t, member)), TimeSpan.Zero, cancellationToken);

    /// <inheritdoc cref="GologClient.CommittedAsync"/>
    public Task<long?> CommittedAsync(string topic, int partition, CancellationToken cancellationToken) =>
        CallAsync((c, t) => c.CommittedAsync(Group, topic, partition, t), TimeSpan.Zero, cancellationToken);

    /// <inheritdoc cref="GologClient.DescribeGroupAsync"/>
    public Task<GroupDescription> DescribeAsync(CancellationToken cancellationToken) =>
        CallAsync((c, t) => c.DescribeGroupAsync(Group, t), TimeSpan.Zero, cancellationToken);

    /// <inheritdoc cref="GologClient.ResetOffsetsAsync"/>
    public Task<List<OffsetResetEntry>> ResetOffsetsAsync(string? topic, string to, long? offset, bool dryRun, CancellationToken cancellationToken) =>
        CallAsync((c, t) => c.ResetOffsetsAsync(Group, topic, to, offset, dryRun, t), TimeSpan.Zero, cancellationToken);

    private static async Task<bool> Done(Task request)
    {
        await request.ConfigureAwait(false);
        return true;
    }

    /// <summary>Runs one group request at the coordinator until it is answered, refused for good, or the retry policy is spent.</summary>
    /// <param name="park">How long the broker may hold the request on purpose, on top of the request timeout.</param>
    private async Task<T> CallAsync<T>(Func<GologClient, CancellationToken, Task<T>> call, TimeSpan park, CancellationToken cancellationToken)
    {
        var budget = _options.Retry.Start();
        while (true)
        {
            ExceptionDispatchInfo failure;
            GologClient? connection = null;
            try
            {
                connection = await ConnectionAsync(cancellationToken).ConfigureAwait(false);
                return await RequestDeadline.RunAsync(connection, _options.RequestTimeout + park, call, cancellationToken).ConfigureAwait(false);
            }
            catch (GologException e) when (e.Code == ErrorCode.NotCoordinator)
            {
                failure = ExceptionDispatchInfo.Capture(e);
                await MoveAsync(connection, e.Error.Coordinator is { } hint ? new BrokerAddress(hint.Host, hint.Port) : null).ConfigureAwait(false);
            }
            catch (GologException e) when (e.Code == ErrorCode.CoordinatorLoading)
            {
                failure = ExceptionDispatchInfo.Capture(e); // the same node, once it has read the group's offsets
            }
            catch (Exception e) when (Reconnect.IsBrokerUnavailable(e))
            {
                failure = ExceptionDispatchInfo.Capture(e);
                await MoveAsync(connection, null).ConfigureAwait(false);
            }
            if (budget.Failed() is not { } wait) failure.Throw();
            else await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The connection to the coordinator, found and opened when there is none or it broke.</summary>
    private async Task<GologClient> ConnectionAsync(CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_connection is { IsConnected: true } open) return open;
            if (_connection is not null) await _connection.DisposeAsync().ConfigureAwait(false);
            _connection = null;
            var address = _address ?? await FindAsync(cancellationToken).ConfigureAwait(false);
            _address = address;
            return _connection = await GologClient.ConnectAsync(address, cancellationToken).ConfigureAwait(false);
        }
        finally { _lock.Release(); }
    }

    private async Task<BrokerAddress> FindAsync(CancellationToken cancellationToken)
    {
        var node = await _anyNode(cancellationToken).ConfigureAwait(false);
        try
        {
            var found = await RequestDeadline.RunAsync(node, _options.RequestTimeout, (c, t) => c.FindCoordinatorAsync(Group, t), cancellationToken)
                .ConfigureAwait(false);
            return found is { } c ? new BrokerAddress(c.Host, c.Port)
                : throw new GologException(new ProtocolError(ErrorCode.NotCoordinator, $"group {Group} has no coordinator at the moment"));
        }
        catch (GologException e) when (e.Code == ErrorCode.UnknownType)
        {
            return node.Broker; // a broker from before find_coordinator coordinates its groups itself
        }
    }

    /// <summary>
    /// The coordinator is elsewhere: at <paramref name="next"/>, or, unknown, wherever find_coordinator says next time.
    /// Only if <paramref name="failed"/> is still the connection in use: a concurrent request may have moved already.
    /// </summary>
    private async Task MoveAsync(GologClient? failed, BrokerAddress? next)
    {
        await _lock.WaitAsync().ConfigureAwait(false);
        try
        {
            if (failed is not null && !ReferenceEquals(failed, _connection)) return;
            if (_connection is not null) await _connection.DisposeAsync().ConfigureAwait(false);
            _connection = null;
            _address = next;
        }
        finally { _lock.Release(); }
    }

    public async ValueTask DisposeAsync()
    {
        await _lock.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_connection is not null) await _connection.DisposeAsync().ConfigureAwait(false);
            _connection = null;
        }
        finally { _lock.Release(); }
    }
}
