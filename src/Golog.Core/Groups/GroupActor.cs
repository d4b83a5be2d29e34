using Akka.Actor;
using Akka.Event;
using Golog.Storage;

namespace Golog.Core.Groups;

/// <summary>
/// One consumer group: a thin shell over its committed offsets (<see cref="OffsetStore"/>) and its membership
/// (<see cref="GroupMembership"/>), which share one mailbox so that a commit is fenced against the very membership
/// it is checked with. Commits waiting in the mailbox are written together and made durable by one fsync, with the
/// partitions' <see cref="GroupCommit{TWaiter,TPosition}"/> bookkeeping, and acknowledged only after it; the fsync
/// runs here, so the actor has its own threads (golog-group-dispatcher). Parked joins are answered when the
/// rebalance completes; a single timer fires at the membership's next deadline (a session or the rebalance running
/// out). Time comes from the injected <see cref="TimeProvider"/>, so tests on Akka's virtual-time scheduler drive
/// the clock and the timer together. The timer is re-armed before any answer leaves: whoever is answered may count
/// on the deadline being set.
/// </summary>
public sealed class GroupActor : CoreActor, IWithTimers
{
    private sealed record FlushNow { public static readonly FlushNow Instance = new(); }
    private sealed record CheckDeadlines { public static readonly CheckDeadlines Instance = new(); }
    private readonly record struct Waiter(IActorRef ReplyTo, long Correlation);

    private readonly string _group;
    private readonly BrokerSettings _settings;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly GroupCommit<Waiter, long> _commits = new();
    private readonly Dictionary<string, Waiter> _parkedJoins = [];
    private readonly TimeProvider _time;
    private readonly long _started;
    private readonly GroupMembership _membership;
    private OffsetStore _store = null!;
    private int _loggedGeneration;
    private readonly GroupBoard _board;
    private bool _closed;

    public GroupActor(string group, BrokerSettings settings, IReadOnlyDictionary<string, int> partitionCounts, TimeProvider time, GroupBoard board)
    {
        _group = group;
        _settings = settings;
        _board = board;
        _time = time;
        _started = time.GetTimestamp();
        _membership = new GroupMembership(group, settings.Groups, PartitionAssignor.Named(settings.AssignmentStrategy), partitionCounts);
        ReceiveCommand<CommitCommand>(Commit);
        Receive<FlushNow>(_ => Flush());
        ReceiveCommand<CommittedQuery>((id, q) =>
        {
            Flush(); // a commit still waiting in this actor must be visible to a query that follows it
            Answer(Sender, id, new CommittedOffset(_store.Get(q.Partition)));
        });
        ReceiveCommand<JoinGroupCommand>(Join);
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
            if (_membership.TopicResized(t.Topic, t.Partitions, Now))
                _log.Info("Group {Group}: topic {Topic} now has {Partitions} partitions; rebalancing", _group, t.Topic, t.Partitions);
            ScheduleDeadline();
        });
        ReceiveCommand<DescribeGroupQuery>((id, q) =>
        {
            Flush();
            Answer(Sender, id, new GroupDescribed(_membership.Describe(_store.Offsets, q.HighWatermarks ?? new Dictionary<TopicPartition, long>())));
        });
        Receive<GroupSummaryQuery>(_ => Sender.Tell(new GroupListing(_group, _membership.State, _membership.MemberCount)));
        Receive<CloseForShutdown>(_ =>
        {
            Flush();
            _closed = true;
            foreach (var parked in _parkedJoins.Values) Reply(parked, new Failed(BrokerError.ShuttingDown));
            _parkedJoins.Clear();
            _store.Dispose();
            Sender.Tell(new Closed(true));
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(string group, BrokerSettings settings, IReadOnlyDictionary<string, int> partitionCounts, TimeProvider time, GroupBoard board) =>
        Akka.Actor.Props.Create(() => new GroupActor(group, settings, partitionCounts, time, board)).WithDispatcher("golog-group-dispatcher");

    /// <summary>Monotonic time since this actor started: what membership deadlines are measured in.</summary>
    private TimeSpan Now => _time.GetElapsedTime(_started);

    protected override void PreStart()
    {
        _store = OffsetStore.Open(StorageLayout.GroupOffsetsFile(_settings.StorageDirectory, _group), Serilog.Log.Logger);
        PublishStatus();
    }

    /// <summary>Members and durable commits for the gauges (<see cref="GroupBoard"/>): after every change to either.</summary>
    private void PublishStatus() => _board.Publish(_group, _membership.MemberCount, _store.Offsets);

    protected override void PostStop()
    {
        if (!_closed) _store?.Dispose();
    }

    private void Commit(long id, CommitCommand cmd)
    {
        if (_closed) { Fail(Sender, id, BrokerError.ShuttingDown); return; }
        if (_membership.CheckCommit(cmd.Member, cmd.Partition) is { } refused) { Fail(Sender, id, refused); return; }
        if (!_commits.HasUnwritten) Self.Tell(FlushNow.Instance); // runs after every commit already in the mailbox
        _store.Append(cmd.Partition, cmd.Offset);
        _commits.Appended(new Waiter(Sender, id));
    }

    private void Join(long id, JoinGroupCommand cmd)
    {
        if (_closed) { Fail(Sender, id, BrokerError.ShuttingDown); return; }
        var result = _membership.Join(cmd.MemberId, cmd.ClientId, cmd.Topics, cmd.SessionTimeout, Now);
        if (result.Error is { } error) { Fail(Sender, id, error); return; }
        var memberId = result.MemberId!;
        if (string.IsNullOrEmpty(cmd.MemberId))
            _log.Info("Group {Group}: member {Member} joined, subscribing to {Topics}", _group, memberId, string.Join(",", cmd.Topics));
        // a member that joins again while a join is parked (a client retry) is answered on the newer request only
        (Waiter, ICoreResult)[] superseded = _parkedJoins.Remove(memberId, out var older)
            ? [(older, new Failed(new BrokerError(BrokerErrorCode.RebalanceInProgress, "superseded by a newer join_group of the same member")))]
            : [];
        _parkedJoins[memberId] = new Waiter(Sender, id);
        Deliver(result.Answers, superseded);
    }

    private void Leave(long id, LeaveGroupCommand cmd)
    {
        var result = _membership.Leave(cmd.MemberId, Now);
        if (result.Error is { } error) { Fail(Sender, id, error); return; }
        _log.Info("Group {Group}: member {Member} left", _group, cmd.MemberId);
        (Waiter, ICoreResult) acknowledged = (new Waiter(Sender, id), GroupAcknowledged.Instance);
        Deliver(result.Answers, _parkedJoins.Remove(cmd.MemberId, out var parked)
            ? [(parked, new Failed(new BrokerError(BrokerErrorCode.UnknownMemberId, "the member left the group"))), acknowledged]
            : [acknowledged]);
    }

    private static void Reply(Waiter to, ICoreResult result) => Answer(to.ReplyTo, to.Correlation, result);

    /// <summary>
    /// After a membership change: logs a new generation, re-arms the deadline timer, then sends the
    /// <paramref name="replies"/> the change settled and answers the parked joins it completed.
    /// </summary>
    private void Deliver(IReadOnlyList<JoinAnswer> answers, params (Waiter To, ICoreResult Result)[] replies)
    {
        if (_membership.Generation != _loggedGeneration)
        {
            _loggedGeneration = _membership.Generation;
            _log.Info("Group {Group}: generation {Generation} {State} with {Members} members ({Strategy})", _group, _membership.Generation,
                _membership.State, _membership.MemberCount, _settings.AssignmentStrategy);
        }
        ScheduleDeadline();
        PublishStatus();
        foreach (var (to, result) in replies) Reply(to, result);
        foreach (var answer in answers)
            if (_parkedJoins.Remove(answer.MemberId, out var parked))
                Reply(parked, answer.Joined is { } joined ? new GroupJoined(joined) : new Failed(answer.Error!));
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
        if (!_commits.HasUnwritten) return;
        try
        {
            _commits.Written(_store.WritePending());
            _commits.TryStartSync(out _); // always starts: no sync outlives the Flush that started it
            _store.Sync();
            var (durable, length) = _commits.SyncCompleted();
            _store.MarkDurable(length);
            PublishStatus();
            foreach (var waiter in durable) Reply(waiter, OffsetCommitted.Instance);
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
