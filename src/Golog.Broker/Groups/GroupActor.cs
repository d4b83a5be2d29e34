using System.Diagnostics;
using Akka.Actor;
using Akka.Event;
using Golog.Protocol;
using Golog.Storage;

namespace Golog.Broker.Groups;

/// <summary>
/// One consumer group: a thin shell over its committed offsets (<see cref="OffsetStore"/>) and its membership
/// (<see cref="GroupMembership"/>), which share one mailbox so that a commit is fenced against the very membership
/// it is checked with. Commits waiting in the mailbox are written with one fsync (the same group-commit idiom as
/// partitions) and acknowledged only after it. Parked joins are answered when the rebalance completes; a single
/// timer fires at the membership's next deadline (a session or the rebalance running out).
/// </summary>
public sealed class GroupActor : ReceiveActor, IWithTimers
{
    private sealed record FlushNow { public static readonly FlushNow Instance = new(); }
    private sealed record CheckDeadlines { public static readonly CheckDeadlines Instance = new(); }

    private readonly string _group;
    private readonly BrokerSettings _settings;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly List<(IActorRef ReplyTo, CommitCommand Commit)> _pending = [];
    private readonly Dictionary<string, (IActorRef ReplyTo, long Seq)> _parkedJoins = [];
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
        Receive<CommitCommand>(Commit);
        Receive<FlushNow>(_ => Flush());
        Receive<CommittedQuery>(q =>
        {
            Flush(); // a commit still waiting in this actor must be visible to a query that follows it
            Sender.Tell(new CommittedOffset(q.Seq, _store.Get(q.Partition)));
        });
        Receive<JoinGroupCommand>(Join);
        Receive<HeartbeatCommand>(h => Reply(h.Seq, _membership.Heartbeat(h.Member.MemberId, h.Member.GenerationId, Now)));
        Receive<LeaveGroupCommand>(Leave);
        Receive<CheckDeadlines>(_ =>
        {
            var (evicted, answers) = _membership.Tick(Now);
            foreach (var id in evicted) _log.Info("Group {0}: member {1} evicted (no heartbeat within its session timeout)", _group, id);
            Deliver(answers);
        });
        Receive<TopicPartitionsChanged>(t =>
        {
            if (_membership.TopicResized(t.Topic, t.Partitions, Now))
                _log.Info("Group {0}: topic {1} now has {2} partitions; rebalancing", _group, t.Topic, t.Partitions);
            ScheduleDeadline();
        });
        Receive<DescribeGroupQuery>(q =>
        {
            Flush();
            Sender.Tell(new GroupDescribed(q.Seq, _membership.Describe(_store.Offsets, q.HighWatermarks ?? new Dictionary<TopicPartition, long>())));
        });
        Receive<GroupSummaryQuery>(_ => Sender.Tell(new GroupListing(_group, GroupMembership.StateName(_membership.State), _membership.MemberCount)));
        Receive<CloseForShutdown>(_ =>
        {
            Flush();
            _closed = true;
            foreach (var (_, (replyTo, seq)) in _parkedJoins) replyTo.Tell(ShuttingDown(seq));
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

    private void Commit(CommitCommand cmd)
    {
        if (_closed) { Sender.Tell(ShuttingDown(cmd.Seq)); return; }
        if (_membership.CheckCommit(cmd.Member, cmd.Partition) is { } refused) { Sender.Tell(new RequestFailed(cmd.Seq, refused)); return; }
        if (_pending.Count == 0) Self.Tell(FlushNow.Instance);
        _pending.Add((Sender, cmd));
    }

    private void Join(JoinGroupCommand cmd)
    {
        if (_closed) { Sender.Tell(ShuttingDown(cmd.Seq)); return; }
        var result = _membership.Join(cmd.MemberId, cmd.ClientId, cmd.Topics, cmd.SessionTimeout, Now);
        if (result.Error is { } error) { Sender.Tell(new RequestFailed(cmd.Seq, error)); return; }
        var memberId = result.MemberId!;
        if (string.IsNullOrEmpty(cmd.MemberId))
            _log.Info("Group {0}: member {1} joined, subscribing to {2}", _group, memberId, string.Join(",", cmd.Topics));
        // a member that joins again while a join is parked (a client retry) is answered on the newer request only
        if (_parkedJoins.Remove(memberId, out var older))
            older.ReplyTo.Tell(new RequestFailed(older.Seq, new ProtocolError(ErrorCode.RebalanceInProgress, "superseded by a newer join_group of the same member")));
        _parkedJoins[memberId] = (Sender, cmd.Seq);
        Deliver(result.Answers);
    }

    private void Leave(LeaveGroupCommand cmd)
    {
        var result = _membership.Leave(cmd.MemberId, Now);
        if (result.Error is { } error) { Sender.Tell(new RequestFailed(cmd.Seq, error)); return; }
        _log.Info("Group {0}: member {1} left", _group, cmd.MemberId);
        if (_parkedJoins.Remove(cmd.MemberId, out var parked))
            parked.ReplyTo.Tell(new RequestFailed(parked.Seq, new ProtocolError(ErrorCode.UnknownMemberId, "the member left the group")));
        Sender.Tell(new GroupAcknowledged(cmd.Seq));
        Deliver(result.Answers);
    }

    private void Reply(long seq, ProtocolError? error)
    {
        Sender.Tell(error is null ? new GroupAcknowledged(seq) : new RequestFailed(seq, error));
        ScheduleDeadline();
    }

    /// <summary>Answers the parked joins a membership change completed, logs a new generation, and re-arms the deadline timer.</summary>
    private void Deliver(IReadOnlyList<JoinAnswer> answers)
    {
        foreach (var answer in answers)
            if (_parkedJoins.Remove(answer.MemberId, out var parked))
                parked.ReplyTo.Tell(answer.Joined is { } joined ? new GroupJoined(parked.Seq, joined) : new RequestFailed(parked.Seq, answer.Error!));
        if (_membership.Generation != _loggedGeneration)
        {
            _loggedGeneration = _membership.Generation;
            _log.Info("Group {0}: generation {1} {2} with {3} members ({4})", _group, _membership.Generation,
                GroupMembership.StateName(_membership.State), _membership.MemberCount, _settings.AssignmentStrategy);
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
            foreach (var (replyTo, commit) in _pending) replyTo.Tell(new CommitDone(commit.Seq));
        }
        catch (IOException e)
        {
            _log.Error(e, "Could not persist offsets of group {0}", _group);
            foreach (var (replyTo, commit) in _pending)
                replyTo.Tell(new RequestFailed(commit.Seq, new ProtocolError(ErrorCode.StorageError, "storage failure: " + e.Message)));
        }
        _pending.Clear();
    }

    private static RequestFailed ShuttingDown(long seq) => new(seq, new ProtocolError(ErrorCode.BrokerShuttingDown, "the broker is shutting down"));
}
