using System.Diagnostics;
using Akka.Actor;
using Akka.Event;
using Golog.Storage;

namespace Golog.Core.Groups;

/// <summary>
/// One consumer group: a thin shell over its committed offsets (<see cref="OffsetStore"/>) and its membership
/// (<see cref="GroupMembership"/>), which share one mailbox so that a commit is fenced against the very membership
/// it is checked with. Commits waiting in the mailbox are written with one fsync (the same group-commit idiom as
/// partitions) and acknowledged only after it. Parked joins are answered when the rebalance completes; a single
/// timer fires at the membership's next deadline (a session or the rebalance running out).
/// </summary>
public sealed class GroupActor : CoreActor, IWithTimers
{
    private sealed record FlushNow { public static readonly FlushNow Instance = new(); }
    private sealed record CheckDeadlines { public static readonly CheckDeadlines Instance = new(); }

    private readonly string _group;
    private readonly BrokerSettings _settings;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly List<(IActorRef ReplyTo, long Correlation, CommitCommand Commit)> _pending = [];
    private readonly Dictionary<string, (IActorRef ReplyTo, long Correlation)> _parkedJoins = [];
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly GroupMembership _membership;
    private OffsetStore _store = null!;
    private int _loggedGeneration;
    private bool _closed;

    public GroupActor(string group, BrokerSettings settings, IReadOnlyDictionary<string, int> partitionCounts)
    {
        _group = group;
        _settings = settings;
        _membership = new GroupMembership(group, settings.Groups, PartitionAssignor.Named(settings.AssignmentStrategy), partitionCounts);
        ReceiveCommand<CommitCommand>(Commit);
        Receive<FlushNow>(_ => Flush());
        ReceiveCommand<CommittedQuery>((id, q) =>
        {
            Flush(); // a commit still waiting in this actor must be visible to a query that follows it
            Answer(Sender, id, new CommittedOffset(_store.Get(q.Partition)));
        });
        ReceiveCommand<JoinGroupCommand>(Join);
        ReceiveCommand<HeartbeatCommand>((id, h) => Reply(id, _membership.Heartbeat(h.Member.MemberId, h.Member.GenerationId, Now)));
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
            foreach (var (_, (replyTo, id)) in _parkedJoins) Fail(replyTo, id, BrokerError.ShuttingDown);
            _parkedJoins.Clear();
            _store.Dispose();
            Sender.Tell(new Closed(true));
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(string group, BrokerSettings settings, IReadOnlyDictionary<string, int> partitionCounts) =>
        Akka.Actor.Props.Create(() => new GroupActor(group, settings, partitionCounts)).WithDispatcher("golog-storage-dispatcher");

    private TimeSpan Now => _clock.Elapsed;

    protected override void PreStart() =>
        _store = OffsetStore.Open(StorageLayout.GroupOffsetsFile(_settings.StorageDirectory, _group), Serilog.Log.Logger);

    protected override void PostStop()
    {
        if (!_closed) _store?.Dispose();
    }

    private void Commit(long id, CommitCommand cmd)
    {
        if (_closed) { Fail(Sender, id, BrokerError.ShuttingDown); return; }
        if (_membership.CheckCommit(cmd.Member, cmd.Partition) is { } refused) { Fail(Sender, id, refused); return; }
        if (_pending.Count == 0) Self.Tell(FlushNow.Instance);
        _pending.Add((Sender, id, cmd));
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
        if (_parkedJoins.Remove(memberId, out var older))
            Fail(older.ReplyTo, older.Correlation, new BrokerError(BrokerErrorCode.RebalanceInProgress, "superseded by a newer join_group of the same member"));
        _parkedJoins[memberId] = (Sender, id);
        Deliver(result.Answers);
    }

    private void Leave(long id, LeaveGroupCommand cmd)
    {
        var result = _membership.Leave(cmd.MemberId, Now);
        if (result.Error is { } error) { Fail(Sender, id, error); return; }
        _log.Info("Group {Group}: member {Member} left", _group, cmd.MemberId);
        if (_parkedJoins.Remove(cmd.MemberId, out var parked))
            Fail(parked.ReplyTo, parked.Correlation, new BrokerError(BrokerErrorCode.UnknownMemberId, "the member left the group"));
        Answer(Sender, id, GroupAcknowledged.Instance);
        Deliver(result.Answers);
    }

    private void Reply(long id, BrokerError? error)
    {
        if (error is null) Answer(Sender, id, GroupAcknowledged.Instance);
        else Fail(Sender, id, error);
        ScheduleDeadline();
    }

    /// <summary>Answers the parked joins a membership change completed, logs a new generation, and re-arms the deadline timer.</summary>
    private void Deliver(IReadOnlyList<JoinAnswer> answers)
    {
        foreach (var answer in answers)
            if (_parkedJoins.Remove(answer.MemberId, out var parked))
                Answer(parked.ReplyTo, parked.Correlation, answer.Joined is { } joined ? new GroupJoined(joined) : new Failed(answer.Error!));
        if (_membership.Generation != _loggedGeneration)
        {
            _loggedGeneration = _membership.Generation;
            _log.Info("Group {Group}: generation {Generation} {State} with {Members} members ({Strategy})", _group, _membership.Generation,
                _membership.State, _membership.MemberCount, _settings.AssignmentStrategy);
        }
        ScheduleDeadline();
    }

    private void ScheduleDeadline()
    {
        if (_membership.NextDeadline is { } deadline)
            Timers.StartSingleTimer("deadline", CheckDeadlines.Instance, deadline > Now ? deadline - Now : TimeSpan.Zero);
        else Timers.Cancel("deadline");
    }

    private void Flush()
    {
        if (_pending.Count == 0) return;
        try
        {
            _store.Commit(_pending.Select(p => KeyValuePair.Create(p.Commit.Partition, p.Commit.Offset)).ToList());
            foreach (var (replyTo, id, _) in _pending) Answer(replyTo, id, OffsetCommitted.Instance);
        }
        catch (IOException e)
        {
            _log.Error(e, "Could not persist offsets of group {Group}", _group);
            foreach (var (replyTo, id, _) in _pending) Fail(replyTo, id, BrokerError.Storage(e));
        }
        _pending.Clear();
    }
}
