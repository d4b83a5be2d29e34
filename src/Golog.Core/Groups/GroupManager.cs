using Akka.Actor;
using Golog.Storage;

namespace Golog.Core.Groups;

/// <summary>
/// Parent of the per-group <see cref="GroupActor"/>s: validates group names, routes each group's requests to its
/// actor (starting it when the request may create the group), keeps the topics' partition counts that assignments
/// are made from, and lists the groups, both those running and those that only have committed offsets on disk.
/// Its groups measure sessions and rebalances on the <see cref="TimeProvider"/> it is given (<see cref="TimeProvider.System"/> in the broker).
/// On a cluster it coordinates only the groups whose offsets partition this node leads, once it has replayed that
/// partition (GroupManager.Coordination.cs); the others hear not_coordinator, or coordinator_loading meanwhile.
/// </summary>
public sealed partial class GroupManager : CoreActor
{
    private readonly BrokerSettings _settings;
    private readonly TimeProvider _time;
    private readonly GroupBoard _board;
    private readonly Dictionary<string, int> _partitionCounts = [];
    private bool _closed;

    public GroupManager(BrokerSettings settings, TimeProvider time, GroupBoard board, RoutingTable? routes)
    {
        _settings = settings;
        _time = time;
        _board = board;
        _routes = routes is { Cluster.Clustered: true } ? routes : null;
        ReceiveCoordination();
        ReceiveCommand<IGroupCommand>(Route);
        Receive<TopicPartitionsChanged>(t =>
        {
            _partitionCounts[t.Topic] = t.Partitions;
            foreach (var child in RunningGroups()) child.Tell(t);
        });
        ReceiveCommand<ListGroupsQuery>((id, _) => List(id));
        ReceiveAsync<ForgetTopic>(Forget);
        ReceiveAsync<CloseForShutdown>(async _ =>
        {
            _closed = true;
            var replyTo = Sender;
            replyTo.Tell(await CloseEachAsync(RunningGroups()));
        });
    }

    /// <summary>
    /// The group coordinator; its groups publish their members and commits to <paramref name="board"/> (the broker's
    /// gauges read it). With a cluster's <paramref name="routes"/> the groups' offsets are records of <see cref="OffsetsTopic"/>.
    /// </summary>
    public static Props Props(BrokerSettings settings, TimeProvider time, GroupBoard? board = null, RoutingTable? routes = null) =>
        Akka.Actor.Props.Create(() => new GroupManager(settings, time, board ?? new GroupBoard(), routes));

    private void Route(long id, IGroupCommand cmd)
    {
        if (!Names.IsValid(cmd.Group)) { Fail(Sender, id, BrokerError.InvalidName("group", cmd.Group)); return; }
        if (cmd is JoinGroupCommand join && join.Topics.FirstOrDefault(t => !Names.IsValid(t)) is { } badTopic)
        {
            Fail(Sender, id, BrokerError.InvalidName("topic", badTopic));
            return;
        }
        if (_closed) // existing groups refuse by themselves; a new one would open an offsets file after the close
        {
            Fail(Sender, id, BrokerError.ShuttingDown);
            return;
        }
        if (NotServedHere(cmd.Group) is { } elsewhere) { Fail(Sender, id, elsewhere); return; }
        var child = Context.Child(ChildName(cmd.Group));
        if (child.IsNobody())
        {
            // Only a join (of either kind), a plain (manual) commit or a reset of a named topic brings a group into being; the rest speak to one that exists.
            if (MissingGroupError(cmd) is { } missing) { Fail(Sender, id, missing); return; }
            child = Start(cmd.Group);
        }
        child.Forward(new CoreRequest(id, cmd));
    }

    private IActorRef Start(string group, IReadOnlyDictionary<TopicPartition, long>? loaded = null) =>
        Context.ActorOf(GroupActor.Props(group, _settings, new Dictionary<string, int>(_partitionCounts), _time, _board, OffsetsPartitionFor(group, loaded)),
            ChildName(group));

    /// <summary>
    /// A deleted topic: every group drops its offsets for it, those that only have an offsets file on disk too (they
    /// are started for it), before the deletion is answered. The mailbox waits meanwhile.
    /// </summary>
    private async Task Forget(ForgetTopic forget)
    {
        var replyTo = Sender;
        _partitionCounts.Remove(forget.Topic);
        if (!_closed && _routes is null) // a cluster's groups with offsets are all running
            foreach (var group in StorageLayout.FindGroups(_settings.StorageDirectory))
                if (Context.Child(ChildName(group)).IsNobody()) Start(group);
        try
        {
            await Task.WhenAll(RunningGroups().Select(c => c.Ask<TopicForgotten>(forget, CloseTimeout)));
            replyTo.Tell(TopicForgotten.Instance);
        }
        catch (Exception e) { replyTo.Tell(new Status.Failure(e)); } // the topic manager reports it
    }

    /// <summary>Why a request cannot go to a group that is not running; null when it may start it.</summary>
    private BrokerError? MissingGroupError(IGroupCommand cmd) => cmd switch
    {
        HeartbeatCommand h => BrokerError.UnknownMember(cmd.Group, h.Member.MemberId),
        LeaveGroupCommand l => BrokerError.UnknownMember(cmd.Group, l.MemberId),
        SyncGroupCommand y => BrokerError.UnknownMember(cmd.Group, y.Member.MemberId),
        CommitCommand { Member: { } m } => BrokerError.UnknownMember(cmd.Group, m.MemberId),
        DescribeGroupQuery or ResetOffsetsCommand { Topic: null } or ResetOffsetsCommand { DryRun: true }
            when _routes is not null || !File.Exists(StorageLayout.GroupOffsetsFile(_settings.StorageDirectory, cmd.Group)) =>
            new BrokerError(BrokerErrorCode.UnknownGroup, $"group {cmd.Group} has no members and no committed offsets"),
        _ => null,
    };

    private void List(long id)
    {
        var replyTo = Sender;
        var running = RunningGroups().Select(c => c.Ask<GroupListing>(GroupSummaryQuery.Instance, TimeSpan.FromSeconds(10))).ToList();
        var stored = _routes is null ? StorageLayout.FindGroups(_settings.StorageDirectory).ToList() : []; // a cluster's are all running
        Task.WhenAll(running).ContinueWith(t =>
        {
            if (!t.IsCompletedSuccessfully)
                return new CoreReply(id, new Failed(new BrokerError(BrokerErrorCode.StorageError, "a group did not answer: " + t.Exception?.GetBaseException().Message)));
            var listed = t.Result.ToDictionary(g => g.Group);
            foreach (var group in stored) listed.TryAdd(group, new GroupListing(group, GroupState.Empty, 0));
            return new CoreReply(id, new GroupsListed(listed.Values.OrderBy(g => g.Group, StringComparer.Ordinal).ToList()));
        }, TaskContinuationOptions.ExecuteSynchronously).PipeTo(replyTo);
    }
}
