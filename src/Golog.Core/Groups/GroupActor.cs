using Akka.Actor;
using Akka.Event;
using Golog.Storage;

namespace Golog.Core.Groups;

/// <summary>
/// One consumer group: a thin shell over its committed offsets (<see cref="OffsetStore"/>) and its membership,
/// broker-assigned (<see cref="GroupMembership"/>, JSON-door members) or client-assigned
/// (<see cref="ClientAssignedMembership"/>, Kafka members); one offset store serves both, so a group's committed
/// offsets are the same whichever door committed them. An empty group takes the kind of its next joiner; a joiner of
/// the other kind is refused while the group has members. Offsets and membership share one mailbox so that a commit is fenced against the very membership
/// it is checked with. Commits waiting in the mailbox are written together and made durable by one fsync, with the
/// partitions' <see cref="GroupCommit{TWaiter,TPosition}"/> bookkeeping, and acknowledged only after it; the fsync
/// runs here, so the actor has its own threads (golog-group-dispatcher). Parked joins are answered when the
/// rebalance completes (and a client-assigned member's sync when its leader's assignment arrives); a single timer fires at the membership's next deadline (a session or the rebalance running
/// out). Time comes from the injected <see cref="TimeProvider"/>, so tests on Akka's virtual-time scheduler drive
/// the clock and the timer together. The timer is re-armed before any answer leaves: whoever is answered may count
/// on the deadline being set.
/// On a cluster (<see cref="OffsetsPartition"/> given) the offsets are not a file but records of the group's offsets
/// partition (<see cref="ReplicatedOffsets{TWaiter}"/>), written with acks=all by the partition's actor on this node,
/// which leads it: a commit is acknowledged once every in-sync replica has its record, and queries that follow a commit
/// wait for its write to end (GroupActor.Replicated.cs).
/// </summary>
public sealed partial class GroupActor : CoreActor, IWithTimers
{
    private sealed record FlushNow { public static readonly FlushNow Instance = new(); }
    private sealed record CheckDeadlines { public static readonly CheckDeadlines Instance = new(); }
    /// <summary>
    /// Who waits for a flush, and with what answer (a plain commit: <see cref="OffsetCommitted"/>; a core result goes
    /// back as a <see cref="CoreReply"/>, anything else, such as <see cref="TopicForgotten"/>, as it is).
    /// </summary>
    private readonly record struct Waiter(IActorRef ReplyTo, long Correlation, object? Answer = null);

    private readonly string _group;
    private readonly BrokerSettings _settings;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly GroupCommit<Waiter, long> _commits = new();
    private readonly Dictionary<string, Waiter> _parkedJoins = [];
    private readonly Dictionary<string, Waiter> _parkedSyncs = [];
    private readonly Dictionary<string, int> _partitionCounts;
    private readonly TimeProvider _time;
    private readonly long _started;
    private IGroupMembership _membership;
    private OffsetStore _store = null!;
    private int _loggedGeneration;
    private readonly GroupBoard _board;
    private bool _closed;

    public GroupActor(string group, BrokerSettings settings, IReadOnlyDictionary<string, int> partitionCounts, TimeProvider time, GroupBoard board,
        OffsetsPartition? offsetsPartition = null)
    {
        _group = group;
        _offsetsPartition = offsetsPartition;
        if (offsetsPartition is not null) _replicated = new ReplicatedOffsets<Waiter>(group, offsetsPartition.Partition, offsetsPartition.Loaded);
        _settings = settings;
        _board = board;
        _time = time;
        _started = time.GetTimestamp();
        _partitionCounts = new Dictionary<string, int>(partitionCounts);
        _membership = BrokerAssigned(0);
        ReceiveCommand<CommitCommand>(Commit);
        Receive<FlushNow>(_ => Flush());
        // a commit still waiting in this actor must be visible to a query that follows it
        ReceiveCommand<CommittedQuery>((id, q) => AfterCommits(new Waiter(Sender, id),
            to => Reply(to, new CommittedOffset(Committed.TryGetValue(q.Partition, out var offset) ? offset : null))));
        ReceiveCommand<JoinGroupCommand>(Join);
        ReceiveCommand<ClientJoinGroupCommand>(ClientJoin);
        ReceiveCommand<SyncGroupCommand>(Sync);
        ReceiveCommand<ResetOffsetsCommand>(ResetOffsets);
        ReceiveCommand<HeartbeatCommand>((id, h) =>
        {
            var error = _membership.Heartbeat(h.Member.MemberId, h.Member.GenerationId, Now);
            ScheduleDeadline();
            Reply(new Waiter(Sender, id), error is null ? GroupAcknowledged.Instance : new Failed(error));
        });
        ReceiveCommand<LeaveGroupCommand>(Leave);
        Receive<CheckDeadlines>(_ =>
        {
            var (evicted, answers) = _membership.Tick(Now);
            foreach (var id in evicted) _log.Info("Group {Group}: member {Member} evicted (no heartbeat within its session timeout)", _group, id);
            Deliver(answers);
        });
        Receive<TopicPartitionsChanged>(t =>
        {
            _partitionCounts[t.Topic] = t.Partitions;
            if (_membership.TopicResized(t.Topic, t.Partitions, Now))
                _log.Info("Group {Group}: topic {Topic} now has {Partitions} partitions; rebalancing", _group, t.Topic, t.Partitions);
            ScheduleDeadline();
        });
        Receive<ForgetTopic>(Forget);
        ReceiveCommand<DescribeGroupQuery>((id, q) => AfterCommits(new Waiter(Sender, id),
            to => Reply(to, new GroupDescribed(_membership.Describe(Committed, q.HighWatermarks ?? new Dictionary<TopicPartition, long>())))));
        Receive<GroupSummaryQuery>(_ => Sender.Tell(new GroupListing(_group, _membership.State, _membership.MemberCount, _membership.Kind,
            (_membership as ClientAssignedMembership)?.ProtocolType ?? "")));
        Receive<CloseForShutdown>(_ =>
        {
            Flush();
            _closed = true;
            FailEveryWaiter(BrokerError.ShuttingDown); // on a cluster: commits not acknowledged yet are retried at the next coordinator
            _store?.Dispose();
            Sender.Tell(new Closed(true));
        });
        ReceiveReplicated();
    }

    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>A group whose offsets are a file under the storage directory, or, with <paramref name="offsetsPartition"/>, records of that partition.</summary>
    public static Props Props(string group, BrokerSettings settings, IReadOnlyDictionary<string, int> partitionCounts, TimeProvider time, GroupBoard board,
        OffsetsPartition? offsetsPartition = null) =>
        Akka.Actor.Props.Create(() => new GroupActor(group, settings, partitionCounts, time, board, offsetsPartition)).WithDispatcher("golog-group-dispatcher");

    /// <summary>Monotonic time since this actor started: what membership deadlines are measured in.</summary>
    private TimeSpan Now => _time.GetElapsedTime(_started);

    protected override void PreStart()
    {
        if (_replicated is null) _store = OffsetStore.Open(StorageLayout.GroupOffsetsFile(_settings.StorageDirectory, _group), Serilog.Log.Logger);
        PublishStatus();
    }

    /// <summary>The durable (on a cluster: acknowledged by the in-sync replicas) commits: the latest offset per partition.</summary>
    private IReadOnlyDictionary<TopicPartition, long> Committed => _replicated?.Offsets ?? _store.Offsets;

    /// <summary>Members and durable commits for the gauges (<see cref="GroupBoard"/>): after every change to either.</summary>
    private void PublishStatus() => _board.Publish(_group, _membership.MemberCount, Committed);

    protected override void PostStop()
    {
        if (!_closed) _store?.Dispose();
    }

    /// <summary>Commits still waiting for a flush: one is queued already.</summary>
    private bool HasUnwritten => _replicated?.HasPending ?? _commits.HasUnwritten;

    /// <summary>The parked joins and syncs, the commits and the queries waiting for them all hear <paramref name="error"/>.</summary>
    private void FailEveryWaiter(BrokerError error)
    {
        var failure = new Failed(error);
        foreach (var parked in _parkedJoins.Values.Concat(_parkedSyncs.Values)) Reply(parked, failure);
        _parkedJoins.Clear();
        _parkedSyncs.Clear();
        foreach (var waiter in _replicated?.TakeAll() ?? []) Reply(waiter, failure);
        foreach (var (waiter, _) in _afterCommits) Reply(waiter, failure);
        _afterCommits.Clear();
    }

    /// <summary>The topic was deleted: its offsets go from the file (durably) and members subscribed to it rebalance without it.</summary>
    private void Forget(ForgetTopic forget)
    {
        if (_closed) { Sender.Tell(TopicForgotten.Instance); return; }
        if (_replicated is { } replicated)
        {
            // a record like a commit; answered once the in-sync replicas have it
            replicated.Append(new Waiter(Sender, 0, TopicForgotten.Instance), new TopicForgottenRecord(_group, forget.Topic));
            Flush();
        }
        else if (!ForgetInFile(forget.Topic)) return;
        if (_membership.TopicResized(forget.Topic, 0, Now))
            _log.Info("Group {Group}: topic {Topic} was deleted; rebalancing", _group, forget.Topic);
        ScheduleDeadline();
        if (_replicated is null) Sender.Tell(TopicForgotten.Instance);
    }

    /// <summary>Drops the topic's offsets from the file, durably; false (and the failure told) if that failed.</summary>
    private bool ForgetInFile(string topic)
    {
        Flush(); // the rewrite needs every commit durable
        try
        {
            if (_store.Forget(topic)) _log.Info("Group {Group}: committed offsets of deleted topic {Topic} dropped", _group, topic);
            return true;
        }
        catch (IOException e)
        {
            _log.Error(e, "Group {Group}: could not drop the offsets of deleted topic {Topic}", _group, topic);
            Sender.Tell(new Status.Failure(e));
            return false;
        }
    }

    private void Commit(long id, CommitCommand cmd)
    {
        if (_closed) { Fail(Sender, id, BrokerError.ShuttingDown); return; }
        if (_membership.CheckCommit(cmd.Member, cmd.Partition) is { } refused) { Fail(Sender, id, refused); return; }
        if (!HasUnwritten) Self.Tell(FlushNow.Instance); // runs after every commit already in the mailbox
        if (_replicated is { } replicated) replicated.Append(new Waiter(Sender, id), new OffsetCommitRecord(_group, cmd.Partition, cmd.Offset));
        else
        {
            _store.Append(cmd.Partition, cmd.Offset);
            _commits.Appended(new Waiter(Sender, id));
        }
    }

    /// <summary>reset_offsets: the new offsets are commits like any other (one fsync, acknowledged after it), unless a dry run.</summary>
    private void ResetOffsets(long id, ResetOffsetsCommand cmd)
    {
        if (_closed) { Fail(Sender, id, BrokerError.ShuttingDown); return; }
        // the previous offsets reported are the durable ones, commits still waiting included
        AfterCommits(new Waiter(Sender, id), to =>
        {
            if (_membership.MemberCount > 0)
            {
                Reply(to, new Failed(new BrokerError(BrokerErrorCode.GroupNotEmpty,
                    $"group {_group} has {_membership.MemberCount} active members; offsets can only be reset while it has none (stop its consumers first)")));
                return;
            }
            var plan = OffsetResetPlan.For(cmd, Committed);
            if (plan.Error is { } error) { Reply(to, new Failed(error)); return; }
            var result = new OffsetsReset(_group, cmd.DryRun, plan.Partitions);
            if (cmd.DryRun) { Reply(to, result); return; }
            if (_replicated is { } replicated)
                replicated.Append(to with { Answer = result }, [.. plan.Partitions.Select(p => new OffsetCommitRecord(_group, p.Partition, p.Offset))]);
            else
            {
                foreach (var p in plan.Partitions) _store.Append(p.Partition, p.Offset);
                _commits.Appended(to with { Answer = result });
            }
            Flush();
            _log.Info("Group {Group}: offsets of {Partitions} partitions reset to {Target}", _group, plan.Partitions.Count, cmd.To.Kind);
        });
    }

    private void Join(long id, JoinGroupCommand cmd)
    {
        if (_closed) { Fail(Sender, id, BrokerError.ShuttingDown); return; }
        if (Joinable<GroupMembership>(BrokerAssigned) is not { } membership) { Fail(Sender, id, KindConflict(GroupKind.BrokerAssigned)); return; }
        var result = membership.Join(cmd.MemberId, cmd.ClientId, cmd.Topics, cmd.SessionTimeout, Now);
        if (result.Error is { } error) { Fail(Sender, id, error); return; }
        if (string.IsNullOrEmpty(cmd.MemberId))
            _log.Info("Group {Group}: member {Member} joined, subscribing to {Topics}", _group, result.MemberId, string.Join(",", cmd.Topics));
        Park(_parkedJoins, result.MemberId!, id, result.Answers);
    }

    private void ClientJoin(long id, ClientJoinGroupCommand cmd)
    {
        if (_closed) { Fail(Sender, id, BrokerError.ShuttingDown); return; }
        if (Joinable(ClientAssigned) is not { } membership) { Fail(Sender, id, KindConflict(GroupKind.ClientAssigned)); return; }
        var result = membership.Join(cmd.MemberId, cmd.ClientId, cmd.ClientHost, cmd.SessionTimeout, cmd.RebalanceTimeout, cmd.ProtocolType,
            cmd.Protocols, Now);
        if (result.Error is { } error) { Fail(Sender, id, error); return; }
        if (string.IsNullOrEmpty(cmd.MemberId))
            _log.Info("Group {Group}: member {Member} joined with protocols {Protocols}", _group, result.MemberId, string.Join(",", cmd.Protocols.Select(p => p.Name)));
        Park(_parkedJoins, result.MemberId!, id, result.Answers);
    }

    private void Sync(long id, SyncGroupCommand cmd)
    {
        if (_membership is not ClientAssignedMembership membership)
        {
            Fail(Sender, id, BrokerError.UnknownMember(_group, cmd.Member.MemberId));
            return;
        }
        var result = membership.Sync(cmd.Member.MemberId, cmd.Member.GenerationId, cmd.Assignments, Now);
        if (result.Error is { } error) { Fail(Sender, id, error); return; }
        Park(_parkedSyncs, result.MemberId!, id, result.Answers);
    }

    /// <summary>
    /// Parks the request until the answers settle it (they may already). A member that sends the same request again
    /// while one is parked (a client retry) is answered on the newer one only.
    /// </summary>
    private void Park(Dictionary<string, Waiter> parked, string memberId, long id, IReadOnlyList<IParkedAnswer> answers)
    {
        (Waiter, ICoreResult)[] superseded = parked.Remove(memberId, out var older)
            ? [(older, new Failed(new BrokerError(BrokerErrorCode.RebalanceInProgress, "superseded by a newer request of the same member")))]
            : [];
        parked[memberId] = new Waiter(Sender, id);
        Deliver(answers, superseded);
    }

    private GroupMembership BrokerAssigned(int generation) =>
        new(_group, _settings.Groups, PartitionAssignor.Named(_settings.AssignmentStrategy), _partitionCounts, generation);

    private ClientAssignedMembership ClientAssigned(int generation) => new(_group, _settings.Groups, generation);

    /// <summary>The membership a joiner of kind <typeparamref name="T"/> joins: the group's, or a fresh one if the group is empty; null while members of the other kind hold it.</summary>
    private T? Joinable<T>(Func<int, T> create) where T : class, IGroupMembership
    {
        if (_membership is T same) return same;
        if (_membership.MemberCount > 0) return null;
        var fresh = create(_membership.Generation);
        _membership = fresh;
        return fresh;
    }

    private BrokerError KindConflict(GroupKind joiner) => new(BrokerErrorCode.GroupKindConflict, joiner == GroupKind.BrokerAssigned
        ? $"group {_group} has {_membership.MemberCount} Kafka-client members that assign its partitions themselves: a JSON-door member cannot join it; use another group"
        : $"group {_group} has {_membership.MemberCount} JSON-door members whose partitions the broker assigns: a Kafka consumer cannot join it; use another group");

    private void Leave(long id, LeaveGroupCommand cmd)
    {
        var (error, answers) = _membership.Leave(cmd.MemberId, Now);
        if (error is not null) { Fail(Sender, id, error); return; }
        _log.Info("Group {Group}: member {Member} left", _group, cmd.MemberId);
        var left = new Failed(new BrokerError(BrokerErrorCode.UnknownMemberId, "the member left the group"));
        var cancelled = new[] { _parkedJoins, _parkedSyncs }
            .Select(parked => parked.Remove(cmd.MemberId, out var waiter) ? (waiter, (ICoreResult)left) : ((Waiter, ICoreResult)?)null)
            .OfType<(Waiter, ICoreResult)>();
        Deliver(answers, [.. cancelled, (new Waiter(Sender, id), GroupAcknowledged.Instance)]);
    }

    private static void Reply(Waiter to, object result)
    {
        if (result is ICoreResult core) Answer(to.ReplyTo, to.Correlation, core);
        else to.ReplyTo.Tell(result);
    }

    /// <summary>
    /// After a membership change: logs a new generation, re-arms the deadline timer, then sends the
    /// <paramref name="replies"/> the change settled and answers the parked joins it completed.
    /// </summary>
    private void Deliver(IReadOnlyList<IParkedAnswer> answers, params (Waiter To, ICoreResult Result)[] replies)
    {
        if (_membership.Generation != _loggedGeneration)
        {
            _loggedGeneration = _membership.Generation;
            _log.Info("Group {Group}: generation {Generation} {State} with {Members} members ({Strategy})", _group, _membership.Generation,
                _membership.State, _membership.MemberCount, (_membership as ClientAssignedMembership)?.Protocol ?? _settings.AssignmentStrategy);
        }
        ScheduleDeadline();
        PublishStatus();
        foreach (var (to, result) in replies) Reply(to, result);
        foreach (var answer in answers)
            if ((answer.Request == ParkedRequest.Join ? _parkedJoins : _parkedSyncs).Remove(answer.MemberId, out var parked))
                Reply(parked, answer.Result);
    }

    private void ScheduleDeadline()
    {
        if (_membership.NextDeadline is { } deadline)
            Timers.StartSingleTimer("deadline", CheckDeadlines.Instance, deadline > Now ? deadline - Now : TimeSpan.Zero);
        else Timers.Cancel("deadline");
    }

    /// <summary>
    /// Writes every commit waiting, makes them durable with one fsync and acknowledges them. The fsync runs right here
    /// (a query that follows a commit must see it, and flushing first is how it does), so a sync is never in flight
    /// between two messages.
    /// </summary>
    private void Flush()
    {
        if (_replicated is { } replicated) { WriteReplicated(replicated); return; }
        if (!_commits.HasUnwritten) return;
        try
        {
            _commits.Written(_store.WritePending());
            _commits.TryStartSync(out _); // always starts: no sync outlives the Flush that started it
            _store.Sync();
            var (durable, length) = _commits.SyncCompleted();
            _store.MarkDurable(length);
            PublishStatus();
            foreach (var waiter in durable) Reply(waiter, waiter.Answer ?? OffsetCommitted.Instance);
        }
        catch (IOException e)
        {
            _log.Error(e, "Could not persist offsets of group {Group}; failing {Waiting} waiting commits", _group, _commits.Waiting);
            StorageMetrics.Errors.Add(1);
            var failure = new Failed(BrokerError.Storage(e));
            foreach (var waiter in _commits.TakeAll()) Reply(waiter, failure);
            _commits.ForgetSync();
            try { _store.DiscardUndurable(); }
            catch (IOException cut) { _log.Error(cut, "Could not cut unacknowledged commits off the offsets file of group {Group}", _group); }
        }
    }
}
