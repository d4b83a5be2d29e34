using Akka.Actor;
using Akka.Event;
using Golog.Core.Groups;
using Golog.Core.Replication;
using Golog.Storage;

namespace Golog.Core;

/// <summary>
/// Owns topic lifecycle: finds the partitions on disk (their actors open their logs on first use), creates topics (explicitly, or on a first produce to a
/// topic the routing table does not have), grows them when asked, deletes them, spawns their partition actors and
/// publishes them in the <see cref="RoutingTable"/>, answers metadata, and closes every partition at shutdown. Produce
/// and fetch to existing partitions never pass through here: doors send them straight to the partition actors.
/// </summary>
public sealed class TopicManager : CoreActor
{
    private sealed record AnswerMetadata(long Correlation, MetadataQuery Query, IActorRef ReplyTo);

    private readonly BrokerSettings _settings;
    private readonly SyncWorker _syncWorker;
    private readonly IActorRef _groups;
    private readonly RoutingTable _routes;
    private readonly TopicLifecycle _lifecycle;
    private readonly PreviousShutdown _previous;
    private readonly IFileSystem? _files;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private bool _closed;
    private IActorRef? _authority; // a cluster node: the cluster creates topics (see UseTopicAuthority)
    private bool _loading; // topics found on disk at start are summed up in one line, not announced one by one
    private readonly HashSet<(string Topic, int Partition)> _onDisk = []; // while loading: the partitions whose directory exists
    // Times each topic name was deleted: a topic created again gets fresh actor names, since a stopped actor's name is
    // only free once its parent has processed its termination.
    private readonly Dictionary<string, int> _deletions = new(StringComparer.Ordinal);

    public TopicManager(BrokerSettings settings, SyncWorker syncWorker, IActorRef groups, RoutingTable routes, PreviousShutdown previous, IFileSystem? files)
    {
        _settings = settings;
        _syncWorker = syncWorker;
        _groups = groups;
        _routes = routes;
        _lifecycle = new TopicLifecycle(settings);
        _previous = previous;
        _files = files;
        Receive<UseTopicAuthority>(u => _authority = u.Authority);
        Receive<EnsureTopics>(e =>
        {
            foreach (var (topic, partitions) in e.Topics) EnsurePartitions(topic, partitions);
            Sender.Tell(TopicsEnsured.Instance);
        });
        ReceiveCommand<ProduceCommand>(Produce);
        ReceiveCommand<CreateTopicCommand>(CreateTopic);
        ReceiveCommand<CreatePartitionsCommand>(CreatePartitions);
        ReceiveAsync<CoreRequest>(r => r.Command is DeleteTopicCommand, r => DeleteTopic(r.Correlation, (DeleteTopicCommand)r.Command));
        ReceiveCommand<MetadataQuery>(Metadata);
        Receive<AnswerMetadata>(m => Answer(m.ReplyTo, m.Correlation, Describe(m.Query)));
        Receive<Terminated>(t => ReplaceStopped(t.ActorRef));
        ReceiveAsync<CloseForShutdown>(_ => CloseAll());
    }

    /// <summary><paramref name="files"/>: what partitions open their files through (the real disk if null).</summary>
    public static Props Props(BrokerSettings settings, SyncWorker syncWorker, IActorRef groups, RoutingTable routes, PreviousShutdown previous,
        IFileSystem? files = null) =>
        Akka.Actor.Props.Create(() => new TopicManager(settings, syncWorker, groups, routes, previous, files));

    protected override void PreStart()
    {
        if (StorageLayout.RemoveDeletedLeftovers(_settings.StorageDirectory) is > 0 and var leftovers)
            _log.Info("Removed {Directories} partition directories of topics deleted before the last stop", leftovers);
        _loading = true;
        _onDisk.UnionWith(StorageLayout.FindPartitions(_settings.StorageDirectory));
        foreach (var topic in _onDisk.GroupBy(p => p.Topic))
            EnsurePartitions(topic.Key, topic.Max(p => p.Partition) + 1);
        _loading = false;
        _onDisk.Clear();
        _routes.MarkLoaded();
        _log.Info("Found {Topics} topics with {Partitions} partitions in {Storage}; each opens on its first request", _routes.TopicCount,
            _routes.Topics().Sum(t => t.Partitions.Count), _settings.StorageDirectory);
    }

    /// <summary>A produce the routing table could not place: auto-create the topic, then hand it to its partition.</summary>
    private void Produce(long id, ProduceCommand cmd)
    {
        var (count, error) = _lifecycle.PartitionsForProduce(cmd.Topic, cmd.Partition, _routes, _closed);
        if (error is not null) { Fail(Sender, id, error); return; }
        if (ToAuthority(id, cmd)) return;
        var route = EnsurePartitions(cmd.Topic, count);
        int partition = cmd.Partition ?? route.ChoosePartition(cmd.Records.Key);
        route.Partitions[partition].Actor.Forward(new CoreRequest(id, cmd with { Partition = partition }));
    }

    private void CreateTopic(long id, CreateTopicCommand cmd)
    {
        if (_lifecycle.CheckCreate(cmd.Topic, cmd.Partitions, _routes, _closed) is { } error) { Fail(Sender, id, error); return; }
        if (ToAuthority(id, cmd)) return;
        EnsurePartitions(cmd.Topic, cmd.Partitions);
        Answer(Sender, id, new TopicCreated(cmd.Topic, cmd.Partitions));
    }

    private void CreatePartitions(long id, CreatePartitionsCommand cmd)
    {
        if (_lifecycle.CheckGrow(cmd.Topic, cmd.Partitions, _routes, _closed) is { } error) { Fail(Sender, id, error); return; }
        if (ToAuthority(id, cmd)) return;
        EnsurePartitions(cmd.Topic, cmd.Partitions);
        Answer(Sender, id, new PartitionsCreated(cmd.Topic, cmd.Partitions));
    }

    /// <summary>
    /// Withdraws the topic from the routing table, closes its partitions (answering what reached them), removes its
    /// files and has every group drop its offsets, then answers. The mailbox waits meanwhile (ReceiveAsync), so the
    /// topic cannot be created anew while its files are still going.
    /// </summary>
    private async Task DeleteTopic(long id, DeleteTopicCommand cmd)
    {
        var replyTo = Sender;
        if (TopicLifecycle.CheckDelete(cmd.Topic, _routes, _closed) is { } error) { Fail(replyTo, id, error); return; }
        if (ToAuthority(id, cmd)) return;
        _routes.TryGet(cmd.Topic, out var route);
        _routes.Withdraw(cmd.Topic);
        _deletions[cmd.Topic] = _deletions.GetValueOrDefault(cmd.Topic) + 1;
        var actors = route.Partitions.Select(p => p.Actor).ToList();
        foreach (var actor in actors) Context.Unwatch(actor); // their stop is no failure to stand in for
        try
        {
            await Task.WhenAll(actors.Select(a => a.Ask<Closed>(CloseForDeletion.Instance, CloseTimeout)));
            // A door that read the route just before the withdrawal has told its request by now; it sits ahead of the
            // PoisonPill and is answered "deleted".
            foreach (var actor in actors) actor.Tell(PoisonPill.Instance);
            await Task.Run(() => StorageLayout.DeletePartitionDirectories(_settings.StorageDirectory, cmd.Topic, actors.Count));
            await _groups.Ask<TopicForgotten>(new ForgetTopic(cmd.Topic), CloseTimeout);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or AskTimeoutException or TaskCanceledException)
        {
            _log.Error(e, "Deleting topic {Topic} did not finish", cmd.Topic);
            Fail(replyTo, id, new BrokerError(BrokerErrorCode.StorageError,
                $"topic \"{cmd.Topic}\" no longer takes requests, but deleting it did not finish: {e.Message}"));
            return;
        }
        _log.Info("Topic {Topic} deleted with its {Partitions} partitions", cmd.Topic, actors.Count);
        Answer(replyTo, id, new TopicDeleted(cmd.Topic, actors.Count));
    }

    private void Metadata(long id, MetadataQuery query)
    {
        if (query.Topic is { } t && !_routes.TryGet(t, out _))
        {
            if (!query.CreateIfMissing) { Fail(Sender, id, BrokerError.UnknownPartition(t, null)); return; }
            var (count, error) = _lifecycle.PartitionsForProduce(t, null, _routes, _closed);
            if (error is not null) { Fail(Sender, id, error); return; }
            if (ToAuthority(id, query)) return;
            EnsurePartitions(t, count);
        }
        // A partition publishes its bounds only once its actor has opened the log (on its first request, on the
        // partition dispatcher). Until then the statuses read 0, and answering would report existing data as an
        // empty log (a consumer starting "from the end" would replay everything). Have them open, and wait.
        var open = TopicRoute.WhenOpen(Selected(query));
        if (open.IsCompleted) { Answer(Sender, id, Describe(query)); return; }
        var replyTo = Sender;
        open.ContinueWith(_ => new AnswerMetadata(id, query, replyTo), TaskContinuationOptions.ExecuteSynchronously).PipeTo(Self);
    }

    /// <summary>On a cluster node the cluster's controller creates topics: the command, checked here already, goes to it.</summary>
    private bool ToAuthority(long id, ICoreCommand command)
    {
        if (_authority is null) return false;
        _authority.Forward(new CoreRequest(id, command));
        return true;
    }

    private IEnumerable<TopicRoute> Selected(MetadataQuery query) =>
        query.Topic is null ? _routes.Topics() : _routes.TryGet(query.Topic, out var one) ? [one] : [];

    private MetadataResult Describe(MetadataQuery query) => new(Selected(query)
        .Select(r => new TopicBounds(r.Name,
            r.Partitions.Select((p, i) => new PartitionBounds(i, p.Status.LogStartOffset, p.Status.HighWatermark)).ToList(),
            r.Partitions.Select((_, i) => _routes.Cluster.LeadershipOf(new TopicPartition(r.Name, i))).ToList()))
        .ToList())
    {
        Brokers = _routes.Cluster.Brokers,
        Controller = _routes.Cluster.Controller,
    };

    /// <summary>Spawns the partitions <paramref name="topic"/> lacks up to <paramref name="count"/> and publishes the route.</summary>
    private TopicRoute EnsurePartitions(string topic, int count)
    {
        bool exists = _routes.TryGet(topic, out var route);
        if (exists && route.Partitions.Count >= count) return route;
        var partitions = exists ? route.Partitions.ToList() : [];
        for (int p = partitions.Count; p < count; p++)
        {
            var status = new PartitionStatus();
            // a new partition creates its directory at once; one found on disk opens when first used
            var props = PartitionActor.Props(new TopicPartition(topic, p), _settings, _syncWorker, status,
                _previous.IsClean(StorageLayout.PartitionDirectoryName(topic, p)), _files, openAtStart: !_onDisk.Contains((topic, p)));
            var actor = Context.ActorOf(props,
                $"partition-{topic}-{p}{Incarnation(topic)}");
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

    private string Incarnation(string topic) => _deletions.TryGetValue(topic, out int n) ? $"~{n}" : "";

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
                var standIn = Context.ActorOf(FailedPartitionActor.Props(new TopicPartition(route.Name, p)), $"failed-{route.Name}-{p}{Incarnation(route.Name)}");
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
