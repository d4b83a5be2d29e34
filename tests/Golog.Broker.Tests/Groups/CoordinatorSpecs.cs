using Akka.Actor;
using Akka.TestKit;
using Golog.Core;
using Golog.Core.Groups;
using Golog.Core.Replication;
using Golog.Storage;
using Xunit.Abstractions;

using static Golog.Broker.Tests.CoreMessages;

namespace Golog.Broker.Tests.Groups;

/// <summary>
/// Group coordination on a cluster, with two nodes' cores (routing table, topic manager, group manager) in one actor
/// system and the cluster played by the test, as ReplicationSpecs plays it: the metadata's roles told to each node's
/// copy of __consumer_offsets-0 and published in its view, and the follower's fetches carried by hand, so the test
/// decides exactly when a record reaches the follower and when the leader hears it is durable there.
/// </summary>
public sealed class CoordinatorSpecs(ITestOutputHelper output) : BrokerSpec(output)
{
    private const string Group = "billing";
    private static readonly TopicPartition Orders = new("orders", 0);
    private static readonly ClusterMember[] Members = [new(1, "127.0.0.1", 9101, 0), new(2, "127.0.0.1", 9102, 0)];

    private sealed record Node(int Id, RoutingTable Routes, IActorRef Groups, IActorRef Core)
    {
        public IActorRef Offsets => Routes.TryGetPartition(OffsetsTopic.Name, 0, out var route) ? route.Actor : ActorRefs.Nobody;
    }

    private long _correlation;

    private async Task<Node> StartNodeAsync(int id)
    {
        var settings = ReplicaCopies.NodeSettings(Sys.Settings.Config, Root, id);
        var routes = new RoutingTable(ClusterView.Node(Members[id - 1], offsetsPartitions: 1, offsetsReplicas: 2));
        routes.Cluster.PublishBrokers(Members, controller: 1);
        var groups = Sys.ActorOf(GroupManager.Props(settings, TimeProvider.System, routes: routes), $"groups-{id}");
        var topics = Sys.ActorOf(TopicManager.Props(settings, NewSyncWorker(), groups, routes, PreviousShutdown.Unclean), $"topics-{id}");
        await routes.Loaded;
        await topics.Ask<TopicsEnsured>(new EnsureTopics([(OffsetsTopic.Name, 1), (Orders.Topic, 1)]), Patience);
        return new Node(id, routes, groups, Sys.ActorOf(CoreGateway.Over(new BrokerCore(routes, topics, groups, ActorRefs.Nobody))));
    }

    /// <summary>What the metadata watchers do: <paramref name="leader"/> leads __consumer_offsets-0 in <paramref name="epoch"/>, every other node follows.</summary>
    private static void Lead(Node leader, int epoch, int[] isr, int minInsync, params Node[] followers)
    {
        var tp = new TopicPartition(OffsetsTopic.Name, 0);
        foreach (var node in followers.Append(leader))
            node.Routes.Cluster.PublishLeadership(tp, new PartitionLeadership(leader.Id, epoch, [1, 2], isr, minInsync));
        leader.Offsets.Tell(new BecomeLeader(epoch, [1, 2], isr, minInsync, ActorRefs.Nobody));
        foreach (var follower in followers) follower.Offsets.Tell(new BecomeFollower(leader.Id, epoch));
        foreach (var node in followers.Append(leader)) node.Groups.Tell(CoordinatorsMoved.Instance);
    }

    /// <summary>The follower's copy fetches what it lacks from the leader and makes it durable; returns where it stands.</summary>
    private async Task<ReplicaPosition> CopyAsync(Node leader, Node follower, int epoch)
    {
        var fetcher = CreateTestProbe();
        follower.Offsets.Tell(ReplicaPositionQuery.Instance, fetcher.Ref);
        var position = await fetcher.ExpectMsgAsync<ReplicaPosition>(Patience);
        leader.Offsets.Tell(new ReplicaFetch(OffsetsTopic.Name, 0, follower.Id, epoch, position.LogEnd, position.LatestEpoch, position.Flushed, 1 << 20), fetcher.Ref);
        var data = await fetcher.ExpectMsgAsync<ReplicaData>(Patience);
        follower.Offsets.Tell(new AppendReplicaData(epoch, data.Batches, data.HighWatermark), fetcher.Ref);
        var appended = await fetcher.ExpectMsgAsync<ReplicaPosition>(Patience);
        await fetcher.ExpectMsgAsync<ReplicaDurable>(Patience);
        return appended with { Flushed = appended.LogEnd };
    }

    /// <summary>The follower's next fetch, which tells the leader how far its copy is durable (the leader's high watermark follows).</summary>
    private static void Report(Node leader, Node follower, int epoch, ReplicaPosition position, IActorRef fetcher) =>
        leader.Offsets.Tell(new ReplicaFetch(OffsetsTopic.Name, 0, follower.Id, epoch, position.LogEnd, position.LatestEpoch, position.Flushed, 1 << 20), fetcher);

    private async Task<ICoreResult> AskAsync(Node node, ICoreCommand command)
    {
        var client = CreateTestProbe();
        long id = ++_correlation;
        node.Core.Tell(Req(id, command), client.Ref);
        var reply = await client.ExpectReplyAsync(Patience);
        Assert.Equal(id, reply.Correlation);
        return reply.Result;
    }

    /// <summary>committed at <paramref name="node"/> once it has loaded (coordinator_loading is retried, bounded).</summary>
    private async Task<long?> CommittedWhenLoadedAsync(Node node)
    {
        for (int attempt = 0; attempt < 100; attempt++)
        {
            var result = await AskAsync(node, new CommittedQuery(Group, Orders));
            if (result is CommittedOffset committed) return committed.Offset;
            Assert.Equal(BrokerErrorCode.CoordinatorLoading, Assert.IsType<Failed>(result).Error.Code);
            await Task.Delay(100);
        }
        throw new TimeoutException($"node {node.Id} was still loading after 10 s");
    }

    private static BrokerError FailureOf(ICoreResult result) => Assert.IsType<Failed>(result).Error;

    [Fact]
    public async Task A_commit_is_acknowledged_only_once_its_record_is_durable_on_every_in_sync_replica()
    {
        var node1 = await StartNodeAsync(1);
        var node2 = await StartNodeAsync(2);
        Lead(node1, epoch: 1, isr: [1, 2], minInsync: 2, node2);
        Assert.Null(await CommittedWhenLoadedAsync(node1));

        var client = CreateTestProbe();
        node1.Core.Tell(Req(1, new CommitCommand(Group, Orders, 44)), client.Ref);
        await client.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(300)); // written on the leader only
        var position = await CopyAsync(node1, node2, epoch: 1);
        await client.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(300)); // durable on the follower, but the leader has not heard yet

        Report(node1, node2, epoch: 1, position, CreateTestProbe().Ref);
        Assert.IsType<OffsetCommitted>((await client.ExpectReplyAsync(Patience)).Result);
        Assert.Equal(44, Assert.IsType<CommittedOffset>(await AskAsync(node1, new CommittedQuery(Group, Orders))).Offset);
    }

    [Fact]
    public async Task A_new_leader_of_the_offsets_partition_loads_before_serving_then_answers_the_last_acknowledged_commit_and_the_old_one_points_to_it()
    {
        var node1 = await StartNodeAsync(1);
        var node2 = await StartNodeAsync(2);
        Lead(node1, epoch: 1, isr: [1, 2], minInsync: 2, node2);
        Assert.Null(await CommittedWhenLoadedAsync(node1));
        foreach (long offset in new long[] { 5, 7 })
        {
            var client = CreateTestProbe();
            node1.Core.Tell(Req(offset, new CommitCommand(Group, Orders, offset)), client.Ref);
            Report(node1, node2, epoch: 1, await CopyAsync(node1, node2, epoch: 1), CreateTestProbe().Ref);
            Assert.IsType<OffsetCommitted>((await client.ExpectReplyAsync(Patience)).Result);
        }

        // node 1 is lost; node 2 leads with node 1 still in its ISR. Node 2 has both records, but its high watermark is
        // what it last heard (before the second record was acknowledged): it must not serve until that is passed
        Lead(node2, epoch: 2, isr: [2, 1], minInsync: 1, node1);
        var loading = FailureOf(await AskAsync(node2, new CommittedQuery(Group, Orders)));
        Assert.Equal(BrokerErrorCode.CoordinatorLoading, loading.Code);

        // the old coordinator sends every group request to the new one
        foreach (ICoreCommand request in new ICoreCommand[]
                 {
                     new CommittedQuery(Group, Orders), new CommitCommand(Group, Orders, 9),
                     new JoinGroupCommand(Group, null, "c", [Orders.Topic], null), new DescribeGroupQuery(Group),
                 })
        {
            var moved = FailureOf(await AskAsync(node1, request));
            Assert.Equal((BrokerErrorCode.NotCoordinator, 2, 9102), (moved.Code, moved.Coordinator?.NodeId, moved.Coordinator?.Port));
        }
        Assert.Equal(2, Assert.IsType<CoordinatorFound>(await AskAsync(node1, new FindCoordinatorQuery(Group))).Coordinator?.NodeId);

        // node 1, following now, fetches from node 2: node 2's high watermark reaches its log end, the replay ends
        Report(node2, node1, epoch: 2, new ReplicaPosition(2, LogEnd: 2, Flushed: 2, LatestEpoch: 1), CreateTestProbe().Ref);
        Assert.Equal(7, await CommittedWhenLoadedAsync(node2));
        var committer = CreateTestProbe();
        node2.Core.Tell(Req(8, new CommitCommand(Group, Orders, 8)), committer.Ref); // the new coordinator writes to its own copy
        Report(node2, node1, epoch: 2, await CopyAsync(node2, node1, epoch: 2), CreateTestProbe().Ref);
        Assert.IsType<OffsetCommitted>((await committer.ExpectReplyAsync(Patience)).Result);
        Assert.Equal(8, Assert.IsType<CommittedOffset>(await AskAsync(node2, new CommittedQuery(Group, Orders))).Offset);

        // each node lists the groups it coordinates: the new one has the group, the old one no longer
        Assert.Equal([Group], Assert.IsType<GroupsListed>(await AskAsync(node2, ListGroupsQuery.Instance)).Groups.Select(g => g.Group));
        Assert.Empty(Assert.IsType<GroupsListed>(await AskAsync(node1, ListGroupsQuery.Instance)).Groups);
    }

    [Fact]
    public async Task On_one_node_the_node_itself_coordinates_every_group_and_a_name_it_cannot_store_is_refused()
    {
        var core = Sys.ActorOf(CoreGateway.Props(Settings, NewSyncWorker()));
        var client = CreateTestProbe();
        core.Tell(Req(1, new FindCoordinatorQuery(Group)), client.Ref);
        Assert.Equal(1, (await client.ExpectResultAsync<CoordinatorFound>(Patience)).Coordinator?.NodeId);
        core.Tell(Req(2, new FindCoordinatorQuery("bad/name")), client.Ref);
        Assert.Equal(BrokerErrorCode.InvalidGroupName, FailureOf((await client.ExpectReplyAsync(Patience)).Result).Code);
    }

    [Fact]
    public async Task While_no_node_leads_the_offsets_partition_a_group_has_no_coordinator()
    {
        var node1 = await StartNodeAsync(1);
        Assert.Null(Assert.IsType<CoordinatorFound>(await AskAsync(node1, new FindCoordinatorQuery(Group))).Coordinator);
        var none = FailureOf(await AskAsync(node1, new CommitCommand(Group, Orders, 1)));
        Assert.Equal((BrokerErrorCode.NotCoordinator, null), (none.Code, none.Coordinator));
        var forged = FailureOf(await AskAsync(node1, new ProduceCommand(OffsetsTopic.Name, 0, Records.Of("forged commit"))));
        Assert.Equal(BrokerErrorCode.InvalidRequest, forged.Code); // only coordinators write there
    }
}
