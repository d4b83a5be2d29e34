using Akka.Actor;
using Akka.Event;
using Golog.Core.Groups;
using Golog.Storage;

namespace Golog.Core;

/// <summary>
/// Owns topic lifecycle: loads the partitions found on disk, creates topics (explicitly, or on a first produce the
/// routing table could not place), spawns their partition actors and publishes them in the <see cref="RoutingTable"/>,
/// answers metadata, and closes every partition at shutdown. Produce and fetch to existing partitions never pass
/// through here: doors send them straight to the partition actors.
/// </summary>
public sealed class TopicManager : CoreActor
{
    private sealed record AnswerMetadata(long Correlation, MetadataQuery Query, IActorRef ReplyTo);

    private readonly BrokerSettings _settings;
    private readonly SyncWorker _syncWorker;
    private readonly IActorRef _groups;
    private readonly RoutingTable _routes;
    private readonly TopicLifecycle _lifecycle;
    private readonly bool _cleanStart;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private bool _closed;
    private bool _loading; // topics found on disk at start are summed up in one line, not announced one by one

    public TopicManager(BrokerSettings settings, SyncWorker syncWorker, IActorRef groups, RoutingTable routes, bool cleanStart)
    {
        _settings = settings;
        _syncWorker = syncWorker;
        _groups = groups;
        _routes = routes;
        _lifecycle = new TopicLifecycle(settings);
        _cleanStart = cleanStart;
        ReceiveCommand<ProduceCommand>(Produce);
        ReceiveCommand<CreateTopicCommand>(CreateTopic);
        ReceiveCommand<MetadataQuery>(Metadata);
        Receive<AnswerMetadata>(m => Answer(m.ReplyTo, m.Correlation, Describe(m.Query)));
        Receive<Terminated>(t => ReplaceStopped(t.ActorRef));
        ReceiveAsync<CloseForShutdown>(_ => CloseAll());
    }

    public static Props Props(BrokerSettings settings, SyncWorker syncWorker, IActorRef groups, RoutingTable routes, bool cleanStart) =>
        Akka.Actor.Props.Create(() => new TopicManager(settings, syncWorker, groups, routes, cleanStart));

    protected override void PreStart()
    {
        _loading = true;
        foreach (var topic in StorageLayout.FindPartitions(_settings.StorageDirectory).GroupBy(p => p.Topic))
            EnsurePartitions(topic.Key, topic.Max(p => p.Partition) + 1);
        _loading = false;
        _routes.MarkLoaded();
        _log.Info("Loaded {Topics} topics with {Partitions} partitions from {Storage}", _routes.TopicCount,
            _routes.Topics().Sum(t => t.Partitions.Count), _settings.StorageDirectory);
    }

    /// <summary>A produce the routing table could not place: auto-create or grow the topic, then hand it to its partition.</summary>
    private void Produce(long id, ProduceCommand cmd)
    {
        var (count, error) = _lifecycle.PartitionsForProduce(cmd.Topic, cmd.Partition, _routes, _closed);
        if (error is not null) { Fail(Sender, id, error); return; }
        var route = EnsurePartitions(cmd.Topic, count);
        int partition = cmd.Partition ?? route.ChoosePartition(cmd.Records.Key);
        route.Partitions[partition].Actor.Forward(new CoreRequest(id, cmd with { Partition = partition }));
    }

    private void CreateTopic(long id, CreateTopicCommand cmd)
    {
        if (_lifecycle.CheckCreate(cmd.Topic, cmd.Partitions, _routes, _closed) is { } error) { Fail(Sender, id, error); return; }
        EnsurePartitions(cmd.Topic, cmd.Partitions);
        Answer(Sender, id, new TopicCreated(cmd.Topic, cmd.Partitions));
    }

    private void Metadata(long id, MetadataQuery query)
    {
        if (query.Topic is { } t && !_routes.TryGet(t, out _))
        {
            if (!query.CreateIfMissing) { Fail(Sender, id, BrokerError.UnknownPartition(t, null)); return; }
            var (count, error) = _lifecycle.PartitionsForProduce(t, null, _routes, _closed);
            if (error is not null) { Fail(Sender, id, error); return; }
            EnsurePartitions(t, count);
        }
        // A partition publishes its bounds only once its actor has opened the log (PreStart, on the partition
        // dispatcher). Right after a restart the statuses still read 0, and answering then would report existing
        // data as an empty log (a consumer starting "from the end" would replay everything). Wait until they are open.
        var opening = Selected(query).SelectMany(r => r.Partitions).Select(p => p.Status.Opened).Where(o => !o.IsCompleted).ToList();
        if (opening.Count == 0) { Answer(Sender, id, Describe(query)); return; }
        var replyTo = Sender;
        Task.WhenAll(opening).ContinueWith(_ => new AnswerMetadata(id, query, replyTo), TaskContinuationOptions.ExecuteSynchronously).PipeTo(Self);
    }

    private IEnumerable<TopicRoute> Selected(MetadataQuery query) =>
        query.Topic is null ? _routes.Topics() : _routes.TryGet(query.Topic, out var one) ? [one] : [];

    private MetadataResult Describe(MetadataQuery query) => new(Selected(query)
        .Select(r => new TopicBounds(r.Name, r.Partitions
            .Select((p, i) => new PartitionBounds(i, p.Status.LogStartOffset, p.Status.HighWatermark)).ToList()))
        .ToList());

    /// <summary>Spawns the partitions <paramref name="topic"/> lacks up to <paramref name="count"/> and publishes the route.</summary>
    private TopicRoute EnsurePartitions(string topic, int count)
    {
        bool exists = _routes.TryGet(topic, out var route);
        if (exists && route.Partitions.Count >= count) return route;
        var partitions = exists ? route.Partitions.ToList() : [];
        for (int p = partitions.Count; p < count; p++)
        {
            var status = new PartitionStatus();
            var actor = Context.ActorOf(PartitionActor.Props(new TopicPartition(topic, p), _settings, _syncWorker, status, _cleanStart),
                $"partition-{topic}-{p}");
            Context.Watch(actor);
            partitions.Add(new PartitionRoute(actor, status));
        }
        route = new TopicRoute(topic, partitions);
        _routes.Publish(route);
        if (exists) _log.Info("Topic {Topic} grown to {Partitions} partitions", topic, count);
        else if (!_loading) _log.Info("Topic {Topic} created with {Partitions} partitions", topic, count);
        _groups.Tell(new TopicPartitionsChanged(topic, count)); // groups rebalance onto new partitions
        return route;
    }

    /// <summary>
    /// A partition actor failed and stopped (never restarted: a restart would keep its mailbox but lose its waiters
    /// and its sync bookkeeping). Its route now answers storage_error, and metadata stops waiting for it to open.
    /// </summary>
    private void ReplaceStopped(IActorRef stopped)
    {
        if (_closed) return; // a partition that stopped after its clean close
        foreach (var route in _routes.Topics())
            for (int p = 0; p < route.Partitions.Count; p++)
            {
                if (!route.Partitions[p].Actor.Equals(stopped)) continue;
                route.Partitions[p].Status.Abandon();
                var standIn = Context.ActorOf(FailedPartitionActor.Props(new TopicPartition(route.Name, p)), $"failed-{route.Name}-{p}");
                var partitions = route.Partitions.ToList();
                partitions[p] = partitions[p] with { Actor = standIn };
                _routes.Publish(new TopicRoute(route.Name, partitions));
                _log.Error("Partition {Topic}-{Partition} stopped after a failure; its requests get storage_error until the broker restarts", route.Name, p);
                return;
            }
    }

    /// <summary>Partition actors are stopped on failure, never restarted (see <see cref="ReplaceStopped"/>).</summary>
    protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(_ => Directive.Stop);

    private async Task CloseAll()
    {
        _closed = true;
        var replyTo = Sender;
        replyTo.Tell(await CloseEachAsync(_routes.Topics().SelectMany(r => r.Partitions).Select(p => p.Actor).Append(_groups)));
    }
}
