using Akka.Actor;
using Akka.Cluster;
using Akka.DistributedData;
using Akka.Event;
using Golog.Core;
using Golog.Core.Groups;
using Golog.Core.Replication;
using Golog.Storage;

namespace Golog.Cluster;

/// <summary>
/// Every node's follower of the controller's decisions: subscribed to the metadata in Distributed Data, it has the
/// topic manager hold every partition, publishes brokers and leaders in the <see cref="ClusterView"/> (what doors
/// answer with), tells each partition this node replicates whether it leads or follows and in which epoch, and runs
/// a <see cref="ReplicaFetcher"/> for each partition it follows, and tells the group manager that leaderships may
/// have moved (it coordinates the groups of the offsets partitions this node leads). Also registers this node's doors
/// with the controller.
/// </summary>
public sealed class MetadataWatcher : ReceiveActor, IWithTimers
{
    private sealed record Apply(ClusterMetadata Metadata);
    private sealed record Reregister { public static readonly Reregister Instance = new(); }
    private sealed record ReadMajorityNow { public static readonly ReadMajorityNow Instance = new(); }
    private sealed record RepublishBrokers { public static readonly RepublishBrokers Instance = new(); }

    private readonly Golog.Core.ClusterSettings _settings;
    private readonly RoutingTable _routes;
    private readonly IActorRef _topics;
    private readonly IActorRef _groups;
    private readonly IActorRef _controller;
    private readonly int _fetchMaxBytes;
    private readonly Akka.Cluster.Cluster _cluster = Akka.Cluster.Cluster.Get(Context.System);
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<TopicPartition, (IActorRef Fetcher, int Leader, int Epoch)> _fetchers = [];
    private ClusterMetadata _applied = ClusterMetadata.Empty;
    private ClusterMetadata? _latest; // newest seen; applied once the topic manager holds its partitions
    private bool _ensuring;
    private ClusterMember? _self; // this node's doors, once bound
    private int _fetcherGeneration;
    // Until a majority's metadata has been read, what this node has is its durable store's copy from before it
    // stopped: acting on it would have a restarted node lead in an epoch the cluster has moved past.
    private bool _caughtUp;

    public MetadataWatcher(Golog.Core.ClusterSettings settings, RoutingTable routes, IActorRef topics, IActorRef groups, IActorRef controller, int fetchMaxBytes)
    {
        _settings = settings;
        _routes = routes;
        _topics = topics;
        _groups = groups;
        _controller = controller;
        _fetchMaxBytes = fetchMaxBytes;
        Receive<Changed>(c => c.Key.Equals(ControllerActor.Key), c => Seen(ClusterMetadata.FromJson(c.Get(ControllerActor.Key).Value)));
        Receive<ReadMajorityNow>(_ => DistributedData.Get(Context.System).Replicator.Tell(
            Dsl.Get(ControllerActor.Key, new ReadMajority(TimeSpan.FromSeconds(3)))));
        Receive<GetSuccess>(g => CaughtUp(ClusterMetadata.FromJson(g.Get(ControllerActor.Key).Value)));
        Receive<NotFound>(_ => CaughtUp(null));
        Receive<GetFailure>(_ => Timers.StartSingleTimer("read-majority", ReadMajorityNow.Instance, TimeSpan.FromMilliseconds(500)));
        // Akka updates Cluster.State after it publishes member events: publish again shortly, so the brokers'
        // statuses never stay as they were when an event arrived
        Receive<RepublishBrokers>(_ => PublishBrokers(_applied));
        Receive<RegisterBroker>(r =>
        {
            _self = r.Broker;
            Self.Tell(Reregister.Instance);
            Timers.StartPeriodicTimer("register", Reregister.Instance, TimeSpan.FromSeconds(2));
        });
        Receive<Reregister>(_ =>
        {
            if (_self is null) return;
            if (_applied.Brokers.TryGetValue(_self.NodeId, out var known) && known == _self) { Timers.Cancel("register"); return; }
            _controller.Tell(new RegisterBroker(_self));
        });
        Receive<Apply>(a =>
        {
            _ensuring = false;
            ApplyRoles(a.Metadata);
            if (_latest is { } newer && newer.Version > _applied.Version) Seen(newer);
        });
        Receive<ClusterEvent.IClusterDomainEvent>(_ =>
        {
            PublishBrokers(_applied);
            if (_applied.Version > 0) ApplyRoles(_applied); // a leader's address may be known only now
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(Golog.Core.ClusterSettings settings, RoutingTable routes, IActorRef topics, IActorRef groups, IActorRef controller,
        int fetchMaxBytes) =>
        Akka.Actor.Props.Create(() => new MetadataWatcher(settings, routes, topics, groups, controller, fetchMaxBytes));

    protected override void PreStart()
    {
        DistributedData.Get(Context.System).Replicator.Tell(Dsl.Subscribe(ControllerActor.Key, Self));
        _cluster.Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents, typeof(ClusterEvent.IMemberEvent), typeof(ClusterEvent.IReachabilityEvent));
        var self = Self; // the callback runs outside this actor
        _cluster.RegisterOnMemberUp(() => self.Tell(ReadMajorityNow.Instance));
        Timers.StartPeriodicTimer("republish-brokers", RepublishBrokers.Instance, TimeSpan.FromSeconds(1));
    }

    private void CaughtUp(ClusterMetadata? majority)
    {
        if (_caughtUp) return;
        _caughtUp = true;
        if (majority is not null && majority.Version > (_latest?.Version ?? 0)) _latest = majority;
        if (_latest is { } latest) Seen(latest);
    }

    protected override void PostStop() => _cluster.Unsubscribe(Self);

    private void Seen(ClusterMetadata metadata)
    {
        if (metadata.Version <= _applied.Version) return;
        if (metadata.Version > (_latest?.Version ?? 0)) _latest = metadata;
        if (!_caughtUp || _ensuring) return; // applied once caught up, or after the one in progress
        metadata = _latest!;
        _ensuring = true;
        var topics = metadata.Topics.Select(t => (t.Key, t.Value.Partitions.Count)).ToList();
        _topics.Ask<TopicsEnsured>(new EnsureTopics(topics), TimeSpan.FromSeconds(30))
            .PipeTo(Self, success: _ => new Apply(metadata), failure: _ => new Apply(metadata));
    }

    private void ApplyRoles(ClusterMetadata metadata)
    {
        if (metadata.Version < _applied.Version) return;
        _applied = metadata;
        PublishBrokers(metadata);
        int self = _settings.NodeId;
        var following = new HashSet<TopicPartition>();
        foreach (var (name, topic) in metadata.Topics)
            for (int p = 0; p < topic.Partitions.Count; p++)
            {
                var tp = new TopicPartition(name, p);
                var a = topic.Partitions[p];
                _routes.Cluster.PublishLeadership(tp, metadata.LeadershipOf(topic, p));
                if (!a.Replicas.Contains(self) || !_routes.TryGetPartition(name, p, out var route)) continue;
                if (a.Leader == self)
                {
                    route.Actor.Tell(new BecomeLeader(a.Epoch, a.Replicas, a.Isr, topic.MinInsyncReplicas, _controller));
                    continue;
                }
                route.Actor.Tell(new BecomeFollower(a.Leader, a.Epoch));
                if (a.Leader != PartitionLeadership.NoLeader && Follow(tp, a, route.Actor)) following.Add(tp);
            }
        foreach (var tp in _fetchers.Keys.Where(tp => !following.Contains(tp)).ToList()) StopFetcher(tp);
        _groups.Tell(CoordinatorsMoved.Instance); // after the partitions heard their roles: a new coordinator's replay reads a leader
    }

    /// <summary>Runs a fetcher for <paramref name="tp"/> from its leader in its epoch; false while the leader's address is not known yet.</summary>
    private bool Follow(TopicPartition tp, PartitionAssignment a, IActorRef partition)
    {
        if (_fetchers.TryGetValue(tp, out var running) && running.Leader == a.Leader && running.Epoch == a.Epoch) return true;
        var leader = _cluster.State.Members.FirstOrDefault(m => NodeIds.Of(m) == a.Leader);
        if (leader is null) return false;
        StopFetcher(tp);
        var server = Context.ActorSelection(new RootActorPath(leader.Address) / "user" / ReplicaServer.Name);
        var fetcher = Context.ActorOf(ReplicaFetcher.Props(tp, _settings.NodeId, a.Epoch, partition, server, _fetchMaxBytes),
            $"fetcher-{Uri.EscapeDataString(tp.Topic)}-{tp.Partition}-{++_fetcherGeneration}");
        _fetchers[tp] = (fetcher, a.Leader, a.Epoch);
        return true;
    }

    private void StopFetcher(TopicPartition tp)
    {
        if (_fetchers.Remove(tp, out var running)) Context.Stop(running.Fetcher);
    }

    /// <summary>The brokers as clients should see them: the registered doors, with whether the cluster reaches them now.</summary>
    private void PublishBrokers(ClusterMetadata metadata)
    {
        var state = _cluster.State;
        var unreachableMembers = state.Unreachable.Select(m => m.UniqueAddress).ToHashSet();
        // by node id: a node restarted is a new member with the same id while its old incarnation may still be listed
        var up = state.Members.Where(m => m.Status == MemberStatus.Up && !unreachableMembers.Contains(m.UniqueAddress)).Select(NodeIds.Of).ToHashSet();
        var unreachable = state.Unreachable.Select(NodeIds.Of).Where(id => !up.Contains(id)).ToHashSet();
        var brokers = metadata.Brokers.Values
            .Where(b => up.Contains(b.NodeId) || unreachable.Contains(b.NodeId))
            .Select(b => b with { Status = unreachable.Contains(b.NodeId) ? ClusterMember.Unreachable : ClusterMember.Up })
            .ToList();
        if (_self is not null && brokers.All(b => b.NodeId != _self.NodeId)) brokers.Add(_self);
        _routes.Cluster.PublishBrokers(brokers, metadata.Controller);
    }
}
