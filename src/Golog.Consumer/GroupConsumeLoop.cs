using Golog.Client;
using Golog.Protocol;

namespace Golog.Consumer;

/// <summary>
/// Group mode: joins the group, consumes the partitions the broker assigns (from the group's committed offsets),
/// prints each record as "[topic-partition] offset N: MESSAGE", and commits after every batch as this member, so a
/// stale member's commits are refused. When the broker starts a rebalance it commits what it printed, gives its
/// partitions up and rejoins; on Ctrl-C it commits and leaves, so the others take over at once. Fetches go to each
/// partition's leader (<see cref="ConsumerCluster"/>), following it when it moves without leaving the group; joins,
/// heartbeats and commits go to the group's coordinator over a connection of their own (a connection answers in
/// request order, and heartbeats must not wait behind long polls), and a member whose coordinator moved rejoins there.
/// </summary>
internal sealed class GroupConsumeLoop(ConsumerOptions options, TextWriter output, TextWriter errors, CancellationToken stop) : IConsumeLoop
{
    private const string ClientId = "golog-consumer";

    private readonly string _group = options.Group ?? throw new ArgumentException("a group is required", nameof(options));
    private readonly FetchLimits _fetch = new(options.PollInterval);
    private readonly StderrWriter _stderr = new(output, errors);
    // next offset to read and the last offset the broker holds, per owned partition
    private readonly Dictionary<(string Topic, int Partition), long> _positions = [];
    private readonly Dictionary<(string Topic, int Partition), long> _committed = [];
    private ClusterClient? _cluster;
    private GroupCoordinator? _coordinator;
    private GroupSession? _session;
    private long _printed;

    private enum Step { Continue, Rejoin, Reconnect, FollowLeaders, Stop }

    public bool EverConnected { get; private set; }

    public async Task<int> RunAsync()
    {
        await ConnectAsync(previousMemberId: null);
        EverConnected = true;
        while (true)
        {
            var step = stop.IsCancellationRequested ? Step.Stop
                : Session.RebalanceRequired.IsCancellationRequested ? Step.Rejoin
                : await PollAsync();
            switch (step)
            {
                case Step.Stop:
                    return await LeaveAsync();
                case Step.Rejoin:
                    try { await RejoinAsync(); }
                    // stopped while the join was parked: leave, or the others wait for this member until the rebalance deadline
                    catch (OperationCanceledException) when (stop.IsCancellationRequested) { return await LeaveAsync(); }
                    catch (Exception e) when (ConsumerCluster.IsTransient(e)) { if (!await ReconnectAsync()) return 2; }
                    break;
                case Step.Reconnect:
                    if (!await ReconnectAsync()) return 2;
                    break;
                case Step.FollowLeaders:
                    if (!await FollowLeadersAsync()) return await LeaveAsync();
                    break;
            }
        }
    }

    private async Task ConnectAsync(string? previousMemberId)
    {
        _cluster = await ConsumerCluster.ConnectAsync(options.Broker, stop);
        _coordinator = _cluster.Coordinator(_group);
        await output.WriteLineAsync($"Connected to broker at {options.Broker}. Joining group {_group} for topics {string.Join(",", options.Topics)}");
        await output.FlushAsync();
        _session = await GroupSession.JoinAsync(_coordinator, options.Topics, options.SessionTimeout, ClientId, previousMemberId, stop);
        await TakeAssignmentAsync();
    }

    /// <summary>Starts every assigned partition at the group's committed offset (or the log's start or end without one).</summary>
    private async Task TakeAssignmentAsync()
    {
        _positions.Clear();
        _committed.Clear();
        var joined = Session.Current;
        var owned = joined.Assignment.SelectMany(a => a.Partitions.Select(p => (a.Topic, Partition: p))).ToList();
        await output.WriteLineAsync($"Joined group {_group} generation {joined.GenerationId} as {joined.MemberId}: " +
                                    (owned.Count == 0 ? "no partitions assigned" : "partitions " + string.Join(", ", owned.Select(Name))));
        var metadata = owned.Count == 0 ? [] : (await Cluster.MetadataAsync(cancellationToken: stop)).Topics;
        foreach (var tp in owned)
        {
            long? committed = await Session.CommittedAsync(tp.Topic, tp.Partition, stop);
            var bounds = metadata.FirstOrDefault(t => t.Name == tp.Topic)?.Partitions.FirstOrDefault(p => p.Partition == tp.Partition);
            _positions[tp] = committed ?? options.StartWithoutCommit(bounds);
            if (committed is { } c) _committed[tp] = c;
        }
        await output.FlushAsync();
    }

    private async Task<Step> PollAsync()
    {
        using var wake = CancellationTokenSource.CreateLinkedTokenSource(stop, Session.RebalanceRequired);
        if (_positions.Count == 0)
        {
            try { await Task.Delay(options.PollInterval, wake.Token); } catch (OperationCanceledException) { }
            return Step.Continue;
        }
        wake.CancelAfter(_fetch.ReplyTimeout);
        // one long poll per owned partition, pipelined on the connection to its leader
        var fetches = _positions.Select(kv => (Tp: kv.Key, Fetch: Cluster.FetchReplyAsync(kv.Key.Topic, kv.Key.Partition, kv.Value, FetchLimits.MaxMessages,
            maxWaitMs: _fetch.MaxWaitMs, cancellationToken: wake.Token))).ToList();
        var step = Step.Continue;
        foreach (var (tp, fetch) in fetches)
        {
            try
            {
                using var batch = await fetch;
                var printed = RecordLines.Print(batch, _positions[tp], options.MaxMessages - _printed, $"[{Name(tp)}] ", options, output);
                _positions[tp] = printed.NextOffset;
                _printed += printed.Lines;
                if (options.MaxMessages is { } max && _printed >= max) step = Step.Stop;
            }
            catch (OperationCanceledException) { /* stopping or rebalancing: the loop sees which */ }
            catch (GologException e) when (e.Code == ErrorCode.OffsetOutOfRange)
            {
                long fixedOffset = Math.Clamp(_positions[tp], e.LogStartOffset ?? 0, e.HighWatermark ?? long.MaxValue);
                await _stderr.WriteLineAsync($"warning: {e.Message}; moving {Name(tp)} to offset {fixedOffset}");
                _positions[tp] = fixedOffset;
            }
            catch (Exception e) when (ConsumerCluster.IsTransient(e)) { step = Step.FollowLeaders; }
            if (step == Step.Stop) break;
        }
        await output.FlushAsync();
        if (step == Step.FollowLeaders) return step;
        var commit = await CommitAsync();
        return step == Step.Stop ? Step.Stop : commit;
    }

    /// <summary>Commits every owned partition that moved, as this member. Fenced by the broker: a refusal means rejoin.</summary>
    private async Task<Step> CommitAsync()
    {
        var moved = _positions.Where(kv => !_committed.TryGetValue(kv.Key, out var c) || c != kv.Value).ToList();
        using var timeout = new CancellationTokenSource(_fetch.ReplyTimeout);
        var commits = moved.Select(kv => (kv.Key, kv.Value,
            Task: Session.CommitAsync(kv.Key.Topic, kv.Key.Partition, kv.Value, timeout.Token))).ToList();
        var step = Step.Continue;
        foreach (var (tp, offset, task) in commits)
        {
            try
            {
                await task;
                _committed[tp] = offset;
            }
            catch (GologException e) when (e.Code is ErrorCode.IllegalGeneration or ErrorCode.UnknownMemberId or ErrorCode.NotAssigned)
            {
                await _stderr.WriteLineAsync($"warning: commit of {Name(tp)} at {offset} refused ({e.Code}); rejoining the group");
                step = Step.Rejoin;
            }
            catch (Exception e) when (ConsumerCluster.IsTransient(e) || e is OperationCanceledException) { step = Step.Reconnect; }
        }
        return step;
    }

    private async Task RejoinAsync()
    {
        await CommitAsync(); // before giving the partitions up; a refused commit is re-read by the next owner
        await output.WriteLineAsync($"Group {_group} is rebalancing ({Session.RebalanceReason}); rejoining");
        await output.FlushAsync();
        await Session.RejoinAsync(stop);
        await TakeAssignmentAsync();
    }

    private async Task<int> LeaveAsync()
    {
        int exit = 0;
        try
        {
            if (await CommitAsync() != Step.Continue) exit = 2;
            using var timeout = new CancellationTokenSource(FetchLimits.ReplyGrace);
            await Session.LeaveAsync(timeout.Token);
            await output.WriteLineAsync($"committed offsets {string.Join(", ", _committed.Select(kv => $"{Name(kv.Key)}@{kv.Value}"))} and left group {_group}");
        }
        catch (Exception e) when (ConsumerCluster.IsTransient(e) || e is OperationCanceledException)
        {
            await _stderr.WriteLineAsync($"error: could not commit and leave group {_group}: {e.Message}");
            exit = 2;
        }
        await output.FlushAsync();
        return exit;
    }

    /// <summary>Reconnects with backoff and rejoins under the old member id when the broker still knows it; false if stopped first.</summary>
    private async Task<bool> ReconnectAsync()
    {
        await _stderr.WriteLineAsync("broker unavailable, reconnecting...");
        string? memberId = _session?.Current.MemberId;
        await DisposeConnectionsAsync();
        return await Reconnect.WithBackoffAsync(async () =>
        {
            try
            {
                await ConnectAsync(memberId);
            }
            catch
            {
                await DisposeConnectionsAsync();
                throw;
            }
        }, stop);
    }

    /// <summary>
    /// A partition's leader was lost or moved: waits with backoff until every owned partition has a leader again, and
    /// goes on where it was (the group's membership is the coordinator's business; heartbeats go on). False if stopped first.
    /// </summary>
    private async Task<bool> FollowLeadersAsync()
    {
        await _stderr.WriteLineAsync("broker unavailable, reconnecting...");
        return await Reconnect.WithBackoffAsync(async () =>
        {
            var leaders = new List<string>();
            foreach (var tp in _positions.Keys) leaders.Add($"{Name(tp)} at {await Cluster.LeaderOfAsync(tp.Topic, tp.Partition, stop)}");
            await _stderr.WriteLineAsync($"reconnected: {string.Join(", ", leaders)}; resuming at offsets " +
                                         string.Join(", ", _positions.Select(kv => $"{Name(kv.Key)}@{kv.Value}")));
        }, stop);
    }

    private static string Name((string Topic, int Partition) tp) => $"{tp.Topic}-{tp.Partition}";

    private ClusterClient Cluster => _cluster ?? throw new InvalidOperationException("not connected");
    private GroupSession Session => _session ?? throw new InvalidOperationException("not joined");

    private async Task DisposeConnectionsAsync()
    {
        if (_session is not null) await _session.DisposeAsync();
        if (_coordinator is not null) await _coordinator.DisposeAsync();
        if (_cluster is not null) await _cluster.DisposeAsync();
        _session = null;
        _coordinator = null;
        _cluster = null;
    }

    public ValueTask DisposeAsync() => new(DisposeConnectionsAsync());
}
