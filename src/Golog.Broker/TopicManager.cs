using Akka.Actor;
using Akka.Event;
using Golog.Broker.Groups;
using Golog.Protocol;
using Golog.Storage;

namespace Golog.Broker;

/// <summary>
/// Knows the topics and their partitions; routes produce and fetch to partition actors, creates topics (explicitly
/// or on first produce), answers metadata, and checks commits name a real partition before the group manager sees them.
/// </summary>
public sealed class TopicManager : ReceiveActor
{
    private sealed record Partition(IActorRef Actor, PartitionStatus Status);
    private sealed record AnswerMetadata(MetadataQuery Query, IActorRef ReplyTo);

    private readonly BrokerSettings _settings;
    private readonly SyncWorker _syncWorker;
    private readonly IActorRef _groups;
    private readonly bool _cleanStart;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<string, List<Partition>> _topics = [];
    private readonly Dictionary<string, int> _roundRobin = [];
    private bool _closed;

    public TopicManager(BrokerSettings settings, SyncWorker syncWorker, IActorRef groups, bool cleanStart)
    {
        _settings = settings;
        _syncWorker = syncWorker;
        _groups = groups;
        _cleanStart = cleanStart;
        Receive<ProduceCommand>(Produce);
        Receive<FetchCommand>(cmd => Route(cmd.Seq, cmd.Topic, cmd.Partition, cmd));
        Receive<CommitCommand>(cmd => ForwardToGroups(cmd.Seq, cmd.Partition, cmd));
        Receive<CommittedQuery>(cmd => ForwardToGroups(cmd.Seq, cmd.Partition, cmd));
        Receive<DescribeGroupQuery>(q => _groups.Forward(q with { HighWatermarks = OpenedHighWatermarks() }));
        Receive<IGroupCommand>(cmd => _groups.Forward(cmd));
        Receive<ListGroupsQuery>(q => _groups.Forward(q));
        Receive<CreateTopicCommand>(CreateTopic);
        Receive<MetadataQuery>(Metadata);
        Receive<AnswerMetadata>(m => m.ReplyTo.Tell(BuildMetadata(m.Query)));
        Receive<Terminated>(t =>
        {
            // a partition that stopped (its log could not be opened, say) will never publish: metadata must not wait for it
            foreach (var p in _topics.Values.SelectMany(ps => ps).Where(p => p.Actor.Equals(t.ActorRef))) p.Status.Abandon();
        });
        ReceiveAsync<CloseForShutdown>(_ => CloseAll());
    }

    public static Props Props(BrokerSettings settings, SyncWorker syncWorker, IActorRef groups, bool cleanStart) =>
        Akka.Actor.Props.Create(() => new TopicManager(settings, syncWorker, groups, cleanStart));

    protected override void PreStart()
    {
        foreach (var group in StorageLayout.FindPartitions(_settings.StorageDirectory).GroupBy(p => p.Topic))
        {
            int count = group.Max(p => p.Partition) + 1;
            EnsurePartitions(group.Key, count);
        }
        _log.Info("Loaded {0} topics with {1} partitions from {2}", _topics.Count, _topics.Values.Sum(p => p.Count), _settings.StorageDirectory);
    }

    private void Produce(ProduceCommand cmd)
    {
        if (!Names.IsValid(cmd.Topic)) { Fail(cmd.Seq, InvalidTopic(cmd.Topic)); return; }
        // closed partitions refuse by themselves, but auto-creation would open new, never-closed ones after the close
        if (_closed) { Fail(cmd.Seq, ShuttingDown); return; }
        // the line parser rejects negative partitions, but other senders (a Kafka listener) may not: partitions[-1] would crash this actor
        if (cmd.Partition < 0) { Fail(cmd.Seq, Unknown(cmd.Topic, cmd.Partition)); return; }
        if (!_topics.TryGetValue(cmd.Topic, out var partitions) || cmd.Partition >= partitions.Count)
        {
            // long: partition int.MaxValue + 1 would overflow to a negative count and index past the list
            long wanted = Math.Max((cmd.Partition ?? -1) + 1L, partitions?.Count ?? _settings.DefaultPartitions);
            if (!_settings.AutoCreateTopics) { Fail(cmd.Seq, Unknown(cmd.Topic, cmd.Partition)); return; }
            if (partitions is null && AtTopicLimit) { Fail(cmd.Seq, TooManyTopics(cmd.Topic)); return; }
            if (wanted > _settings.MaxPartitionsPerTopic)
            {
                Fail(cmd.Seq, new ProtocolError(ErrorCode.UnknownTopicOrPartition,
                    $"partition {cmd.Partition} does not exist and auto-creation stops at {_settings.MaxPartitionsPerTopic} partitions per topic"));
                return;
            }
            partitions = EnsurePartitions(cmd.Topic, (int)wanted);
        }
        int partition = cmd.Partition
                        ?? (cmd.Records.Key is { } key ? KeyPartitioner.Partition(key.Span, partitions.Count) : NextRoundRobin(cmd.Topic, partitions.Count));
        partitions[partition].Actor.Forward(cmd with { Partition = partition });
    }

    private void Route(long seq, string topic, int partition, object cmd)
    {
        if (!Names.IsValid(topic)) { Fail(seq, InvalidTopic(topic)); return; }
        if (_topics.TryGetValue(topic, out var partitions) && partition >= 0 && partition < partitions.Count) partitions[partition].Actor.Forward(cmd);
        else Fail(seq, Unknown(topic, partition));
    }

    private void ForwardToGroups(long seq, TopicPartition tp, object cmd)
    {
        if (!Names.IsValid(tp.Topic)) Fail(seq, InvalidTopic(tp.Topic));
        else if (!_topics.TryGetValue(tp.Topic, out var partitions) || tp.Partition < 0 || tp.Partition >= partitions.Count) Fail(seq, Unknown(tp.Topic, tp.Partition));
        else _groups.Forward(cmd);
    }

    private void CreateTopic(CreateTopicCommand cmd)
    {
        if (!Names.IsValid(cmd.Topic)) Fail(cmd.Seq, InvalidTopic(cmd.Topic));
        else if (_closed) Fail(cmd.Seq, ShuttingDown);
        else if (_topics.ContainsKey(cmd.Topic))
            Fail(cmd.Seq, new ProtocolError(ErrorCode.TopicAlreadyExists, $"topic \"{cmd.Topic}\" already exists with {_topics[cmd.Topic].Count} partitions"));
        else if (cmd.Partitions < 1 || cmd.Partitions > _settings.MaxPartitionsPerTopic) // 0 partitions: round robin would divide by zero
            Fail(cmd.Seq, new ProtocolError(ErrorCode.InvalidRequest, $"a topic has 1 to {_settings.MaxPartitionsPerTopic} partitions"));
        else if (AtTopicLimit) Fail(cmd.Seq, TooManyTopics(cmd.Topic));
        else
        {
            EnsurePartitions(cmd.Topic, cmd.Partitions);
            Sender.Tell(new TopicCreated(cmd.Seq, cmd.Topic, cmd.Partitions));
        }
    }

    private void Metadata(MetadataQuery query)
    {
        if (query.Topic is { } t && !_topics.ContainsKey(t)) { Fail(query.Seq, Unknown(t, null)); return; }
        // A partition publishes its bounds only once its actor has opened the log (PreStart, on the storage
        // dispatcher). Right after a restart the statuses still read 0, and answering then would report existing
        // data as an empty log (a consumer starting "from the end" would replay everything). Wait until they are open.
        var opening = Selected(query).SelectMany(kv => kv.Value).Select(p => p.Status.Opened).Where(o => !o.IsCompleted).ToList();
        if (opening.Count == 0) { Sender.Tell(BuildMetadata(query)); return; }
        var replyTo = Sender;
        Task.WhenAll(opening).ContinueWith(_ => new AnswerMetadata(query, replyTo), TaskContinuationOptions.ExecuteSynchronously).PipeTo(Self);
    }

    private IEnumerable<KeyValuePair<string, List<Partition>>> Selected(MetadataQuery query) =>
        _topics.Where(kv => query.Topic is null || kv.Key == query.Topic);

    private MetadataResult BuildMetadata(MetadataQuery query)
    {
        var topics = Selected(query)
            .OrderBy(kv => kv.Key, StringComparer.Ordinal)
            .Select(kv => new TopicMetadata(kv.Key, kv.Value
                .Select((p, i) => new PartitionMetadata(i, p.Status.LogStartOffset, p.Status.HighWatermark)).ToList()))
            .ToList();
        return new MetadataResult(query.Seq, topics);
    }

    /// <summary>High watermarks for describe_group; a partition still opening is left out (its bounds would read 0).</summary>
    private Dictionary<TopicPartition, long> OpenedHighWatermarks() =>
        _topics.SelectMany(kv => kv.Value.Select((p, i) => (Tp: new TopicPartition(kv.Key, i), p.Status)))
            .Where(x => x.Status.Opened.IsCompleted)
            .ToDictionary(x => x.Tp, x => x.Status.HighWatermark);

    private List<Partition> EnsurePartitions(string topic, int count)
    {
        if (!_topics.TryGetValue(topic, out var partitions))
        {
            _topics[topic] = partitions = [];
            _log.Info("Topic {0} created", topic);
        }
        int before = partitions.Count;
        for (int p = partitions.Count; p < count; p++)
        {
            var status = new PartitionStatus();
            var actor = Context.ActorOf(PartitionActor.Props(new TopicPartition(topic, p), _settings, _syncWorker, status, _cleanStart),
                $"partition-{topic}-{p}");
            Context.Watch(actor);
            partitions.Add(new Partition(actor, status));
        }
        if (partitions.Count > before) _groups.Tell(new TopicPartitionsChanged(topic, partitions.Count)); // groups rebalance onto new partitions
        return partitions;
    }

    private int NextRoundRobin(string topic, int count)
    {
        int next = _roundRobin.GetValueOrDefault(topic);
        _roundRobin[topic] = (next + 1) % count;
        return next % count;
    }

    private async Task CloseAll()
    {
        _closed = true;
        var replyTo = Sender;
        var closes = _topics.Values.SelectMany(p => p).Select(p => p.Actor.Ask<Closed>(CloseForShutdown.Instance, TimeSpan.FromSeconds(30)));
        var results = await Task.WhenAll(closes.Append(_groups.Ask<Closed>(CloseForShutdown.Instance, TimeSpan.FromSeconds(30))));
        replyTo.Tell(new Closed(results.All(r => r.Clean)));
    }

    private void Fail(long seq, ProtocolError error) => Sender.Tell(new RequestFailed(seq, error));

    // Topics found on disk at start always load, so the count may already be past the limit: then nothing new is created.
    private bool AtTopicLimit => _topics.Count >= _settings.MaxTopics;

    private ProtocolError TooManyTopics(string topic) => new(ErrorCode.TooManyTopics,
        $"cannot create topic \"{topic}\": the broker already has {_topics.Count} topics (golog.topics.max = {_settings.MaxTopics})");

    private static readonly ProtocolError ShuttingDown = new(ErrorCode.BrokerShuttingDown, "the broker is shutting down");

    private static ProtocolError InvalidTopic(string topic) => new(ErrorCode.InvalidTopicName,
        Names.Explain("topic", topic));

    private static ProtocolError Unknown(string topic, int? partition) => new(ErrorCode.UnknownTopicOrPartition,
        partition is { } p ? $"unknown topic or partition {topic}-{p}" : $"unknown topic \"{topic}\"");
}
