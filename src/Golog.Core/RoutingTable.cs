using System.Collections.Concurrent;
using Akka.Actor;
using Golog.Storage;

namespace Golog.Core;

/// <summary>One partition's actor and the bounds it publishes.</summary>
public sealed record PartitionRoute(IActorRef Actor, PartitionStatus Status)
{
    /// <summary>Completes once the partition's bounds are published, asking it to open its log if it has not yet.</summary>
    public Task EnsureOpen()
    {
        if (!Status.Opened.IsCompleted) Actor.Tell(OpenPartition.Instance);
        return Status.Opened;
    }
}

/// <summary>
/// A topic's partitions as routed now. Immutable but for the round-robin cursor: a topic that grows is published as
/// a new route, so a reader holding the old one still sees a consistent partition list.
/// </summary>
public sealed class TopicRoute(string name, IReadOnlyList<PartitionRoute> partitions)
{
    private int _roundRobin = -1;

    public string Name { get; } = name;
    public IReadOnlyList<PartitionRoute> Partitions { get; } = partitions;

    /// <summary>The partition for a produce that names none: Kafka's key hash with a key, else round robin.</summary>
    public int ChoosePartition(ReadOnlyMemory<byte>? key) => key is { } k
        ? KeyPartitioner.Partition(k.Span, Partitions.Count)
        : (int)((uint)Interlocked.Increment(ref _roundRobin) % (uint)Partitions.Count);

    /// <summary>
    /// Completes once every partition of <paramref name="topics"/> has published its bounds, asking those not open yet
    /// to open (partitions found on disk open on first use): answers built from the bounds would read 0 before that.
    /// </summary>
    public static Task WhenOpen(IEnumerable<TopicRoute> topics)
    {
        var opening = topics.SelectMany(t => t.Partitions).Select(p => p.EnsureOpen()).Where(o => !o.IsCompleted).ToList();
        return opening.Count == 0 ? Task.CompletedTask : Task.WhenAll(opening);
    }
}

/// <summary>
/// The metadata cache every door reads to send a produce or fetch straight to its partition actor, without a message
/// round trip through the topic manager. Only the topic manager publishes (one writer); readers on any thread see a
/// topic once its partition actors exist, its growth as a whole new <see cref="TopicRoute"/>, and its deletion as its absence.
/// </summary>
public sealed class RoutingTable(ClusterView cluster)
{
    /// <summary>A single node's table (tests): node 1 leads everything.</summary>
    public RoutingTable() : this(ClusterView.Single(new ClusterMember(1, "localhost", 0, 0))) { }

    /// <summary>Who leads each partition and which brokers there are.</summary>
    public ClusterView Cluster { get; } = cluster;

    private readonly ConcurrentDictionary<string, TopicRoute> _topics = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource _loaded = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>
    /// Completes once the topics found on disk at start are in the table. Until then a lookup may miss a topic that
    /// exists, so doors open only after it (a fetch right after a restart must not hear unknown_topic_or_partition).
    /// </summary>
    public Task Loaded => _loaded.Task;

    public int TopicCount => _topics.Count;

    public bool TryGet(string topic, out TopicRoute route) => _topics.TryGetValue(topic, out route!);

    /// <summary>The partition's actor, if the topic and partition exist.</summary>
    public bool TryGetPartition(string topic, int partition, out PartitionRoute route)
    {
        route = null!;
        if (!_topics.TryGetValue(topic, out var t) || (uint)partition >= (uint)t.Partitions.Count) return false;
        route = t.Partitions[partition];
        return true;
    }

    /// <summary>A snapshot of the topics, in name order.</summary>
    public IReadOnlyList<TopicRoute> Topics() => _topics.Values.OrderBy(t => t.Name, StringComparer.Ordinal).ToList();

    /// <summary>High watermarks of every partition whose log is open here (one still opening would read 0).</summary>
    public Dictionary<TopicPartition, long> OpenedHighWatermarks() =>
        OpenedHere().ToDictionary(x => x.Tp, x => x.Status.HighWatermark);

    /// <summary>Log start offsets and high watermarks of every partition whose log is open here.</summary>
    public Dictionary<TopicPartition, PartitionBounds> OpenedBounds() =>
        OpenedHere().ToDictionary(x => x.Tp, x => new PartitionBounds(x.Tp.Partition, x.Status.LogStartOffset, x.Status.HighWatermark));

    // On a cluster a partition this node keeps no copy of has no log here: its status reads 0, which as a high
    // watermark would show a group's lag as 0 and reset "latest" to offset 0. Such partitions are left out (unknown).
    private IEnumerable<(TopicPartition Tp, PartitionStatus Status)> OpenedHere() =>
        _topics.Values.SelectMany(t => t.Partitions.Select((p, i) => (Tp: new TopicPartition(t.Name, i), p.Status)))
            .Where(x => x.Status.Opened.IsCompleted && Cluster.HoldsReplica(x.Tp));

    internal void Publish(TopicRoute route) => _topics[route.Name] = route;

    /// <summary>A deleted topic: readers stop finding it at once, while its partition actors still answer what reached them.</summary>
    internal void Withdraw(string topic) => _topics.TryRemove(topic, out _);

    internal void MarkLoaded() => _loaded.TrySetResult();
}
