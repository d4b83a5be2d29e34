using Akka.Actor;
using Akka.Cluster;
using Akka.DistributedData;
using Akka.Event;
using Golog.Core;
using Golog.Core.Replication;

namespace Golog.Cluster;

/// <summary>
/// The cluster's controller: a cluster singleton (on the oldest node; Akka moves it when that node is downed). It
/// alone writes the metadata (<see cref="ClusterMetadata"/>), with majority writes to Distributed Data, after
/// reading a majority's copy when it starts, so a new controller continues from what the old one committed. It
/// assigns new topics' replicas, elects leaders when nodes become unreachable or come back
/// (<see cref="LeaderElection"/>), grants leaders' ISR changes and records the brokers' addresses. Changes are
/// applied one at a time: each is answered once a majority holds it.
/// </summary>
public sealed class ControllerActor : ReceiveActor, IWithStash, IWithTimers
{
    public static readonly LWWRegisterKey<string> Key = new("golog-topics");
    private static readonly TimeSpan MajorityTimeout = TimeSpan.FromSeconds(3);

    private sealed record Reelect { public static readonly Reelect Instance = new(); }
    private sealed record LoadNow { public static readonly LoadNow Instance = new(); }

    private readonly Golog.Core.ClusterSettings _settings;
    private readonly BrokerSettings _broker;
    private readonly IActorRef _replicator = DistributedData.Get(Context.System).Replicator;
    private readonly Akka.Cluster.Cluster _cluster = Akka.Cluster.Cluster.Get(Context.System);
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private ClusterMetadata _metadata = ClusterMetadata.Empty;
    private int _created; // topics created by this controller: moves the first replica of the next one

    public ControllerActor(BrokerSettings broker)
    {
        _broker = broker;
        _settings = broker.Cluster;
        Loading();
    }

    public IStash Stash { get; set; } = null!;
    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(BrokerSettings broker) => Akka.Actor.Props.Create(() => new ControllerActor(broker));

    protected override void PreStart() => Self.Tell(LoadNow.Instance);

    protected override void PostStop() => _cluster.Unsubscribe(Self);

    /// <summary>Reads a majority's metadata before anything else: requests wait (stashed).</summary>
    private void Loading()
    {
        Receive<LoadNow>(_ => _replicator.Tell(Dsl.Get(Key, new ReadMajority(MajorityTimeout))));
        Receive<GetSuccess>(g => Loaded(ClusterMetadata.FromJson(g.Get(Key).Value)));
        Receive<NotFound>(_ => Loaded(ClusterMetadata.Empty));
        Receive<GetFailure>(_ =>
        {
            _log.Warning("Controller could not read a majority's metadata yet; retrying");
            Timers.StartSingleTimer("load", LoadNow.Instance, TimeSpan.FromMilliseconds(500));
        });
        ReceiveAny(_ => Stash.Stash());
    }

    private void Loaded(ClusterMetadata metadata)
    {
        _metadata = metadata;
        _log.Info("Controller on node {NodeId} took over metadata version {Version} with {Topics} topics", _settings.NodeId, metadata.Version, metadata.Topics.Count);
        _cluster.Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents, typeof(ClusterEvent.IMemberEvent), typeof(ClusterEvent.IReachabilityEvent));
        Become(Ready);
        Stash.UnstashAll();
        Commit(m => m, replyTo: null); // names this node the controller, and elects for nodes lost meanwhile
    }

    private void Ready()
    {
        Receive<ClusterEvent.IClusterDomainEvent>(_ => Timers.StartSingleTimer("reelect", Reelect.Instance, TimeSpan.FromMilliseconds(50)));
        Receive<Reelect>(_ => Commit(m => m, replyTo: null));
        Receive<RegisterBroker>(r =>
        {
            if (_metadata.Brokers.TryGetValue(r.Broker.NodeId, out var known) && known == r.Broker) return;
            Commit(m => m with { Brokers = m.Brokers.SetItem(r.Broker.NodeId, r.Broker) }, replyTo: null);
        });
        Receive<CreateTopicRequest>(Create);
        Receive<GrowTopicRequest>(Grow);
        Receive<IsrChangeRequest>(ChangeIsr);
    }

    private void Create(CreateTopicRequest r)
    {
        if (_metadata.Topics.TryGetValue(r.Topic, out var existing))
        {
            // created meanwhile (two nodes auto-creating at once): as good as created
            Sender.Tell(r.ReplicationFactor is null && r.MinInsyncReplicas is null && existing.Partitions.Count >= r.Partitions
                ? new ControllerReply(_metadata.Version)
                : new ControllerReply(_metadata.Version, BrokerErrorCode.TopicAlreadyExists, $"topic \"{r.Topic}\" already exists with {existing.Partitions.Count} partitions"));
            return;
        }
        var live = LiveNodes().ToList();
        int rf = r.ReplicationFactor ?? _settings.DefaultReplicationFactor;
        if (rf < 1) { Sender.Tell(new ControllerReply(_metadata.Version, BrokerErrorCode.InvalidReplicationFactor, $"replication factor {rf} must be at least 1")); return; }
        if (live.Count == 0) { Sender.Tell(new ControllerReply(_metadata.Version, BrokerErrorCode.NotEnoughReplicas, "no node is up to hold the topic")); return; }
        // Kafka's rule for an explicit factor; the default is capped by the nodes up, so one node runs with defaults
        if (r.ReplicationFactor > live.Count)
        {
            Sender.Tell(new ControllerReply(_metadata.Version, BrokerErrorCode.InvalidReplicationFactor,
                $"replication factor {rf} is more than the {live.Count} nodes up ({string.Join(",", live.Order())})"));
            return;
        }
        int copies = Math.Min(rf, live.Count);
        int minIsr = r.MinInsyncReplicas ?? _settings.MinInsyncFor(copies);
        if (minIsr < 1 || minIsr > copies)
        {
            Sender.Tell(new ControllerReply(_metadata.Version, BrokerErrorCode.InvalidConfig, $"min_insync_replicas {minIsr} must be between 1 and the {copies} replicas"));
            return;
        }
        var assignment = LeaderElection.Assign(live, r.Partitions, copies, minIsr, _created++);
        _log.Info("Controller creates topic {Topic}: {Partitions} partitions, {Replicas} replicas each, min in sync {MinIsr}", r.Topic, r.Partitions, copies, minIsr);
        Commit(m => m with { Topics = m.Topics.SetItem(r.Topic, assignment) }, Sender);
    }

    private void Grow(GrowTopicRequest r)
    {
        if (!_metadata.Topics.TryGetValue(r.Topic, out var topic))
        {
            Sender.Tell(new ControllerReply(_metadata.Version, BrokerErrorCode.UnknownTopicOrPartition, $"topic \"{r.Topic}\" does not exist"));
            return;
        }
        if (r.Partitions <= topic.Partitions.Count) { Sender.Tell(new ControllerReply(_metadata.Version)); return; }
        int rf = topic.Partitions[0].Replicas.Count;
        var grown = LeaderElection.Assign(LiveNodes().ToList(), r.Partitions, rf, topic.MinInsyncReplicas, _created++, topic.Partitions.Count, topic.Partitions);
        Commit(m => m with { Topics = m.Topics.SetItem(r.Topic, grown) }, Sender);
    }

    private void ChangeIsr(IsrChangeRequest r)
    {
        if (!_metadata.Topics.TryGetValue(r.Topic, out var topic) || r.Partition >= topic.Partitions.Count) return;
        var p = topic.Partitions[r.Partition];
        if (LeaderElection.CheckIsrChange(p, r.Leader, r.Epoch, r.Isr) is { } refusal)
        {
            _log.Info("Controller refuses the ISR change of {Topic}-{Partition}: {Reason}", r.Topic, r.Partition, refusal);
            return;
        }
        // a member that is back (an expansion) must be live; a leader asking to drop members is taken at its word
        var isr = r.Isr.Where(n => p.Isr.Contains(n) || LiveNodes().Contains(n) || n == r.Leader).ToList();
        if (isr.SequenceEqual(p.Isr)) { Sender.Tell(new IsrChangeGranted(r.Topic, r.Partition, r.Epoch, isr)); return; }
        _log.Info("Controller changes the ISR of {Topic}-{Partition} from {Isr} to {NewIsr}", r.Topic, r.Partition, string.Join(",", p.Isr), string.Join(",", isr));
        var partitions = topic.Partitions.ToList();
        partitions[r.Partition] = p with { Isr = isr };
        Commit(m => m with { Topics = m.Topics.SetItem(r.Topic, topic with { Partitions = partitions }) }, Sender,
            granted: new IsrChangeGranted(r.Topic, r.Partition, r.Epoch, isr));
    }

    /// <summary>Whether the members up and reachable from here are a majority of the cluster's members.</summary>
    private bool SeesMajority()
    {
        var state = _cluster.State;
        int members = state.Members.Count(m => m.Status is MemberStatus.Up or MemberStatus.Leaving);
        return LiveNodes().Count > members / 2;
    }

    /// <summary>The nodes that count for leadership: members up and reachable from here, by node id.</summary>
    private HashSet<int> LiveNodes()
    {
        var state = _cluster.State;
        var unreachable = state.Unreachable.Select(m => m.UniqueAddress).ToHashSet();
        return state.Members.Where(m => m.Status == MemberStatus.Up && !unreachable.Contains(m.UniqueAddress))
            .Select(NodeIds.Of).Where(id => id > 0).ToHashSet();
    }

    /// <summary>
    /// Applies <paramref name="change"/>, re-elects for the nodes live now and, if anything changed, writes the new
    /// version to a majority before answering <paramref name="replyTo"/> (with nothing changed, at once).
    /// </summary>
    private void Commit(Func<ClusterMetadata, ClusterMetadata> change, IActorRef? replyTo, object? granted = null)
    {
        if (!SeesMajority())
        {
            // cut off with a minority: its view of who is alive is the minority's, and any change it wrote would take
            // effect on this node before the majority write failed (Distributed Data applies locally first)
            if (granted is null)
                replyTo?.Tell(new ControllerReply(_metadata.Version, BrokerErrorCode.NotEnoughReplicas,
                    "the controller reaches only a minority of the nodes; retry once the cluster has healed"));
            return;
        }
        // every change names this node the controller: the first one, at takeover, may have found no majority yet
        // (cluster membership still settling), and then a later one must still say who decides
        var changed = change(_metadata) with { Controller = _settings.NodeId };
        changed = changed with { Topics = LeaderElection.Reelect(changed.Topics, LiveNodes()) };
        // the immutable collections come back as the same instances when nothing changed
        if (changed.Controller == _metadata.Controller && changed.Brokers == _metadata.Brokers && changed.Topics == _metadata.Topics)
        {
            replyTo?.Tell(granted ?? new ControllerReply(_metadata.Version));
            return;
        }
        var next = changed with { Version = _metadata.Version + 1 };
        LogLeaderChanges(_metadata, next);
        string json = next.ToJson();
        var self = _cluster.SelfUniqueAddress;
        _replicator.Tell(Dsl.Update(Key, new LWWRegister<string>(self, json), new WriteMajority(MajorityTimeout), reg => reg.WithValue(self, json)));
        Become(() => Writing(next, replyTo, granted));
    }

    /// <summary>One write at a time: what arrives meanwhile waits, so every change starts from the committed version.</summary>
    private void Writing(ClusterMetadata next, IActorRef? replyTo, object? granted)
    {
        Receive<UpdateSuccess>(_ =>
        {
            _metadata = next;
            replyTo?.Tell(granted ?? new ControllerReply(next.Version));
            Become(Ready);
            Stash.UnstashAll();
        });
        Receive<IUpdateResponse>(failure =>
        {
            // not confirmed by a majority (it may still spread from the nodes that have it): the change counts as not
            // made, and is worked out again from the membership of the moment
            _log.Warning("Controller could not write metadata version {Version} to a majority ({Failure}); retrying", next.Version, failure.GetType().Name);
            if (granted is null)
                replyTo?.Tell(new ControllerReply(_metadata.Version, BrokerErrorCode.NotEnoughReplicas, "the cluster metadata could not be written to a majority of nodes; retry"));
            Become(Ready);
            Stash.UnstashAll();
            Timers.StartSingleTimer("reelect", Reelect.Instance, TimeSpan.FromMilliseconds(500));
        });
        ReceiveAny(_ => Stash.Stash());
    }

    private void LogLeaderChanges(ClusterMetadata before, ClusterMetadata after)
    {
        foreach (var (name, topic) in after.Topics)
        {
            if (!before.Topics.TryGetValue(name, out var old)) continue;
            for (int p = 0; p < Math.Min(old.Partitions.Count, topic.Partitions.Count); p++)
                if (old.Partitions[p].Epoch != topic.Partitions[p].Epoch)
                    _log.Info("Controller elects node {Leader} to lead {Topic}-{Partition} in epoch {Epoch} (was node {OldLeader}); ISR {Isr}",
                        topic.Partitions[p].Leader, name, p, topic.Partitions[p].Epoch, old.Partitions[p].Leader, string.Join(",", topic.Partitions[p].Isr));
        }
    }
}

/// <summary>A member's Golog node id, from the role every node joins with ("golog-node-{id}").</summary>
public static class NodeIds
{
    public const string RolePrefix = "golog-node-";

    public static int Of(Member member) =>
        member.Roles.Select(r => r.StartsWith(RolePrefix, StringComparison.Ordinal) && int.TryParse(r[RolePrefix.Length..], out int id) ? id : 0)
            .FirstOrDefault(id => id > 0);
}
