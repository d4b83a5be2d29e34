using Akka.Actor;
using Golog.Core;
using Golog.Storage;

namespace Golog.Broker.Tests;

/// <summary>
/// What a cluster node knows of partitions it keeps no copy of: nothing. Their status reads 0 (no log here), so
/// group lag, describe_group's high watermarks and reset_offsets' bounds must leave them out rather than take the 0:
/// a lag of 0 would hide a consumer's backlog and a reset "to latest" would send the group back to offset 0.
/// </summary>
public sealed class HeldPartitionsTests
{
    private static readonly TopicPartition Held = new("orders", 0), Elsewhere = new("orders", 1);

    [Fact]
    public void A_partition_kept_on_other_nodes_only_has_no_high_watermark_bounds_or_lag_here()
    {
        var view = ClusterView.Node(new ClusterMember(1, "localhost", 9192, 9193), offsetsPartitions: 6, offsetsReplicas: 3);
        view.PublishLeadership(Held, new PartitionLeadership(1, 1, [1, 2], [1, 2], 1));
        view.PublishLeadership(Elsewhere, new PartitionLeadership(2, 1, [2, 3], [2, 3], 1));
        var routes = new RoutingTable(view);
        PartitionStatus held = new(), elsewhere = new();
        held.Publish(logStartOffset: 3, highWatermark: 40);
        elsewhere.Abandon(); // the node's actor for it has no log: unassigned here
        routes.Publish(new TopicRoute("orders", [new PartitionRoute(ActorRefs.Nobody, held), new PartitionRoute(ActorRefs.Nobody, elsewhere)]));

        Assert.Equal([Held], routes.OpenedHighWatermarks().Keys);
        Assert.Equal(40, routes.OpenedHighWatermarks()[Held]);
        Assert.Equal([Held], routes.OpenedBounds().Keys);
        Assert.Equal(30, Lag.Of(routes, Held, committed: 10));
        Assert.Null(Lag.Of(routes, Elsewhere, committed: 10));
    }

    [Fact]
    public void On_one_node_every_open_partition_is_held()
    {
        var routes = new RoutingTable();
        PartitionStatus status = new();
        status.Publish(logStartOffset: 0, highWatermark: 5);
        routes.Publish(new TopicRoute("orders", [new PartitionRoute(ActorRefs.Nobody, status)]));

        Assert.Equal(5, routes.OpenedHighWatermarks()[Held]);
        Assert.Equal(2, Lag.Of(routes, Held, committed: 3));
    }
}
