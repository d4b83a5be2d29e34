using System.Diagnostics.Metrics;
using Golog.Core.Groups;
using Golog.Storage;

namespace Golog.Core;

/// <summary>
/// One broker's gauges, read from what partitions and groups publish (<see cref="PartitionStatus"/>,
/// <see cref="GroupBoard"/>) whenever a listener collects, never through a mailbox. A meter of its own per broker,
/// disposed with it, so a stopped broker's partitions stop being reported.
/// </summary>
public sealed class BrokerGauges : IDisposable
{
    private readonly Meter _meter = new(StorageMetrics.Name);
    private readonly RoutingTable _routes;
    private readonly GroupBoard _groups;

    public BrokerGauges(RoutingTable routes, GroupBoard groups)
    {
        _routes = routes;
        _groups = groups;
        _meter.CreateObservableGauge("golog.partition.log_start_offset", () => Partitions(s => s.LogStartOffset), null, "First offset still stored");
        _meter.CreateObservableGauge("golog.partition.log_end_offset", () => Partitions(s => s.LogEndOffset), null, "Offset the next append gets");
        _meter.CreateObservableGauge("golog.partition.high_watermark", () => Partitions(s => s.HighWatermark), null, "Offset up to which messages are acknowledged and readable");
        _meter.CreateObservableGauge("golog.partition.size_bytes", () => Partitions(s => s.SizeBytes), null, "Bytes of the partition's segments");
        _meter.CreateObservableGauge("golog.consumer_group.lag", GroupLag, null, "High watermark minus the group's committed offset");
        _meter.CreateObservableGauge("golog.consumer_group.members", GroupMembers, null, "Members of the group's current generation");
        _meter.CreateObservableGauge("golog.under_replicated_partitions", UnderReplicated, null, "Partitions led by this node with fewer replicas in sync than they have");
    }

    // Only the partitions this node keeps a copy of (as a Kafka broker reports its replicas): on a cluster the others
    // have no log here, and their bounds would read 0.
    private IEnumerable<Measurement<long>> Partitions(Func<PartitionStatus, long> value)
    {
        foreach (var topic in _routes.Topics())
            for (int p = 0; p < topic.Partitions.Count; p++)
            {
                var status = topic.Partitions[p].Status;
                if (status.Opened.IsCompleted && _routes.Cluster.HoldsReplica(new TopicPartition(topic.Name, p)))
                    yield return new(value(status), new("topic", topic.Name), new("partition", p));
            }
    }

    private IEnumerable<Measurement<long>> GroupLag()
    {
        foreach (var (group, status) in _groups.Snapshot())
            foreach (var (tp, committed) in status.Committed)
                if (Lag.Of(_routes, tp, committed) is { } lag)
                    yield return new(lag, new("group", group), new("topic", tp.Topic), new("partition", tp.Partition));
    }

    // Kafka's UnderReplicatedPartitions: counted by each partition's leader, so the cluster's total is the sum over nodes
    private int UnderReplicated()
    {
        var cluster = _routes.Cluster;
        return _routes.Topics().Sum(topic => Enumerable.Range(0, topic.Partitions.Count)
            .Select(p => cluster.LeadershipOf(new TopicPartition(topic.Name, p)))
            .Count(l => l.Leader == cluster.SelfId && l.UnderReplicated));
    }

    private IEnumerable<Measurement<int>> GroupMembers() =>
        _groups.Snapshot().Select(g => new Measurement<int>(g.Value.Members, new KeyValuePair<string, object?>("group", g.Key)));

    public void Dispose() => _meter.Dispose();
}

/// <summary>
/// Consumer lag as Kafka reports it: the high watermark minus the committed offset, never negative; null while the
/// partition is unknown, still opening, or (on a cluster) kept on other nodes only, where this node has no high watermark.
/// </summary>
public static class Lag
{
    public static long? Of(RoutingTable routes, TopicPartition tp, long committed) =>
        routes.TryGetPartition(tp.Topic, tp.Partition, out var route) && route.Status.Opened.IsCompleted && routes.Cluster.HoldsReplica(tp)
            ? Math.Max(0, route.Status.HighWatermark - committed)
            : null;
}
