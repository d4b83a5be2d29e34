using System.Diagnostics;
using Akka.Actor;
using Akka.Configuration;
using Akka.TestKit;
using Golog.Core;
using Golog.Core.Replication;
using Golog.Storage;
using Xunit.Abstractions;

using static Golog.Broker.Tests.CoreMessages;
using static Golog.Broker.Tests.ReplicaCopies;

namespace Golog.Broker.Tests;

/// <summary>
/// A partition actor in a cluster, driven as the cluster drives it: roles from the metadata (<see cref="BecomeLeader"/>,
/// <see cref="BecomeFollower"/>), a follower's fetches written by hand (the test plays the follower node), batches
/// carried from one node's copy to another's as the replica fetcher carries them. Node 1 leads unless a test says
/// otherwise; node 2 is its follower.
/// </summary>
public sealed class ReplicationSpecs(ITestOutputHelper output) : BrokerSpec(output)
{
    /// <summary>Node <paramref name="nodeId"/>'s copy of the partition, in a directory of its own under this test's root.</summary>
    private IActorRef StartCopy(int nodeId, string overrides = "", PartitionStatus? status = null) =>
        Sys.ActorOf(CopyProps(NodeSettings(Sys.Settings.Config, Root, nodeId, overrides), NewSyncWorker(), status));

    /// <summary>Node 1's copy, leading in <paramref name="epoch"/> with node 2 as its follower.</summary>
    private IActorRef StartLeader(int epoch, int[] isr, int minInsync, string overrides = "", IActorRef? isrChanges = null)
    {
        var leader = StartCopy(LeaderNode, overrides);
        leader.Tell(Leads(epoch, isr, minInsync, isrChanges));
        return leader;
    }

    /// <summary>Produces <paramref name="values"/> as one batch and waits for its acknowledgement.</summary>
    private Task ProduceAllAsync(IActorRef partition, params string[] values) => ProduceAllAsync(partition, Acks.All, values);

    private async Task ProduceAllAsync(IActorRef partition, Acks acks, params string[] values)
    {
        var producer = CreateTestProbe();
        partition.Tell(Produce(1, acks, values), producer.Ref);
        await ExpectProducedAsync(producer, 1);
    }

    /// <summary>A consumer reading from offset 0 sees <paramref name="values"/> at offsets 0, 1, ... and the high watermark past them.</summary>
    private async Task ExpectConsumedAsync(IActorRef partition, params string[] values)
    {
        var consumer = CreateTestProbe();
        partition.Tell(ConsumerFetch(0, 0), consumer.Ref);
        var fetched = await consumer.ExpectResultAsync<Fetched>(Patience);
        Assert.Equal(values.Select((v, i) => new Rec(i, null, v)), Records.Decode(fetched));
        Assert.Equal(values.Length, fetched.HighWatermark);
    }

    private static async Task<BrokerError> ExpectFailureAsync(TestProbe probe, long correlation)
    {
        var reply = await probe.ExpectReplyAsync(Patience);
        Assert.Equal(correlation, reply.Correlation);
        return Assert.IsType<Failed>(reply.Result).Error;
    }

    private static async Task<Produced> ExpectProducedAsync(TestProbe probe, long correlation)
    {
        var reply = await probe.ExpectReplyAsync(Patience);
        Assert.Equal(correlation, reply.Correlation);
        return Assert.IsType<Produced>(reply.Result);
    }

    [Fact]
    public async Task A_cluster_partition_answers_not_leader_until_the_metadata_makes_it_leader()
    {
        var partition = StartCopy(LeaderNode);
        var client = CreateTestProbe();

        partition.Tell(Produce(1, Acks.Leader, "too-early"), client.Ref);
        Assert.Equal(BrokerErrorCode.NotLeader, (await ExpectFailureAsync(client, 1)).Code);
        partition.Tell(ConsumerFetch(2, 0), client.Ref);
        Assert.Equal(BrokerErrorCode.NotLeader, (await ExpectFailureAsync(client, 2)).Code);

        partition.Tell(Leads(epoch: 1, isr: [LeaderNode], minInsync: 1));
        partition.Tell(Produce(3, Acks.All, "welcome"), client.Ref);
        Assert.Equal(0, (await ExpectProducedAsync(client, 3)).BaseOffset); // the refused produce stored nothing
        await ExpectConsumedAsync(partition, "welcome");
    }

    [Fact]
    public async Task An_acks_all_produce_is_answered_only_once_the_follower_has_the_batch_durable_and_consumers_see_it_only_then()
    {
        var leader = StartLeader(epoch: 1, isr: [LeaderNode, FollowerNode], minInsync: 2);
        var producer = CreateTestProbe();
        var follower = CreateTestProbe();

        leader.Tell(Produce(1, Acks.All, "replicated"), producer.Ref);
        leader.Tell(FollowerFetch(epoch: 1, offset: 0, lastEpoch: -1, flushed: 0), follower.Ref);
        Assert.Equal([new Rec(0, null, "replicated")], RecordsIn(await follower.ExpectMsgAsync<ReplicaData>(Patience)));
        await producer.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(300)); // durable on the leader, not yet on the follower
        await ExpectConsumedAsync(leader);

        // the follower has the batch, but not durable yet: that is not enough
        leader.Tell(FollowerFetch(epoch: 1, offset: 1, lastEpoch: 1, flushed: 0), follower.Ref);
        await producer.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(300));
        await ExpectConsumedAsync(leader);

        leader.Tell(FollowerFetch(epoch: 1, offset: 1, lastEpoch: 1, flushed: 1), follower.Ref);
        var produced = await ExpectProducedAsync(producer, 1);
        Assert.Equal((0, 0), (produced.BaseOffset, produced.LastOffset));
        await ExpectConsumedAsync(leader, "replicated");
    }

    [Fact]
    public async Task A_followers_durable_report_between_fetches_releases_an_acks_all_produce_without_waiting_for_its_next_fetch()
    {
        var leader = StartLeader(epoch: 1, isr: [LeaderNode, FollowerNode], minInsync: 2);
        var producer = CreateTestProbe();
        var follower = CreateTestProbe();

        // a report from a follower that never fetched says nothing about what it holds
        leader.Tell(new ReplicaProgress(Topic, 0, FollowerNode, Epoch: 1, Flushed: 1));
        leader.Tell(Produce(1, Acks.All, "replicated"), producer.Ref);
        leader.Tell(FollowerFetch(epoch: 1, offset: 0, lastEpoch: -1, flushed: 0), follower.Ref);
        await follower.ExpectMsgAsync<ReplicaData>(Patience);
        leader.Tell(FollowerFetch(epoch: 1, offset: 1, lastEpoch: 1, flushed: 0), follower.Ref); // parked at the log end
        leader.Tell(new ReplicaProgress(Topic, 0, FollowerNode, Epoch: 0, Flushed: 1)); // from a fetcher of an older epoch
        await producer.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(300));

        leader.Tell(new ReplicaProgress(Topic, 0, FollowerNode, Epoch: 1, Flushed: 1)); // its sync is done
        Assert.Equal(0, (await ExpectProducedAsync(producer, 1)).BaseOffset);
        await ExpectConsumedAsync(leader, "replicated");
    }

    [Fact]
    public async Task An_acks_leader_produce_is_answered_once_the_leader_has_it_durable_but_consumers_wait_for_the_follower()
    {
        var leader = StartLeader(epoch: 1, isr: [LeaderNode, FollowerNode], minInsync: 2);
        var producer = CreateTestProbe();

        leader.Tell(Produce(1, Acks.Leader, "fast"), producer.Ref);
        Assert.Equal(0, (await ExpectProducedAsync(producer, 1)).BaseOffset); // the follower never fetched
        await ExpectConsumedAsync(leader); // not committed: a new leader might not have it

        leader.Tell(FollowerFetch(epoch: 1, offset: 1, lastEpoch: 1, flushed: 1), CreateTestProbe().Ref);
        await ExpectConsumedAsync(leader, "fast");
    }

    [Fact]
    public async Task An_acks_all_produce_with_fewer_in_sync_replicas_than_min_insync_is_refused_and_stores_nothing()
    {
        var leader = StartLeader(epoch: 1, isr: [LeaderNode], minInsync: 2);
        var producer = CreateTestProbe();

        leader.Tell(Produce(1, Acks.All, "refused"), producer.Ref);
        var error = await ExpectFailureAsync(producer, 1);
        Assert.Equal(BrokerErrorCode.NotEnoughReplicas, error.Code);
        Assert.Contains("min.insync.replicas", error.Message);

        // acks=leader is still taken (Kafka's rule), and lands at offset 0: the refused batch left no trace
        leader.Tell(Produce(2, Acks.Leader, "taken"), producer.Ref);
        Assert.Equal(0, (await ExpectProducedAsync(producer, 2)).BaseOffset);
        await ExpectConsumedAsync(leader, "taken");
    }

    [Fact]
    public async Task A_follower_appends_its_leaders_batches_as_they_are_and_serves_them_once_it_leads()
    {
        // node 2 leads in epoch 1 and node 1 follows: what node 2 answers a replica fetch is what node 1 appends
        var leader = StartCopy(FollowerNode);
        leader.Tell(Leads(epoch: 1, isr: [FollowerNode], minInsync: 1));
        var producer = CreateTestProbe();
        leader.Tell(Produce(1, Acks.All, "a", "b"), producer.Ref);
        leader.Tell(Produce(2, Acks.All, "c"), producer.Ref);
        await ExpectProducedAsync(producer, 1);
        await ExpectProducedAsync(producer, 2);
        var fetcher = CreateTestProbe();
        leader.Tell(FollowerFetch(epoch: 1, offset: 0, lastEpoch: -1, flushed: 0, follower: LeaderNode), fetcher.Ref);
        var data = await fetcher.ExpectMsgAsync<ReplicaData>(Patience);

        var copy = StartCopy(LeaderNode);
        copy.Tell(new BecomeFollower(Leader: FollowerNode, Epoch: 1));
        copy.Tell(new AppendReplicaData(1, data.Batches, data.HighWatermark), fetcher.Ref);
        // answered once appended (the fetcher fetches on), then again once the sync made the copy durable
        var position = await fetcher.ExpectMsgAsync<ReplicaPosition>(Patience);
        Assert.Equal((1, 3, 1), (position.Epoch, position.LogEnd, position.LatestEpoch));
        Assert.Equal(new ReplicaDurable(Epoch: 1, Flushed: 3), await fetcher.ExpectMsgAsync<ReplicaDurable>(Patience));

        // a follower serves no client
        var client = CreateTestProbe();
        copy.Tell(ConsumerFetch(3, 0), client.Ref);
        var notLeader = await ExpectFailureAsync(client, 3);
        Assert.Equal(BrokerErrorCode.NotLeader, notLeader.Code);
        Assert.Contains($"node {FollowerNode}", notLeader.Message); // names who does lead

        // the old leader is lost: the copy leads, with every record at the offset its old leader gave it
        copy.Tell(Leads(epoch: 2, isr: [LeaderNode], minInsync: 1));
        await ExpectConsumedAsync(copy, "a", "b", "c");
    }

    [Fact]
    public async Task A_follower_whose_tail_the_leader_never_had_is_told_where_to_cut_and_its_tail_is_gone()
    {
        var fetcher = CreateTestProbe();
        // node 1 led in epoch 0 up to offset 3 and now leads in epoch 2
        var leader = StartCopy(LeaderNode);
        leader.Tell(Leads(epoch: 0, isr: [LeaderNode], minInsync: 1));
        await ProduceAllAsync(leader, "m0", "m1", "m2");
        leader.Tell(Leads(epoch: 2, isr: [LeaderNode, FollowerNode], minInsync: 1));

        // node 2, a deposed leader of epoch 0, kept two records nobody else has
        var follower = StartCopy(FollowerNode);
        follower.Tell(Leads(epoch: 0, isr: [FollowerNode], minInsync: 1));
        await ProduceAllAsync(follower, "m0", "m1", "m2");
        await ProduceAllAsync(follower, "lost3", "lost4");
        follower.Tell(new BecomeFollower(Leader: LeaderNode, Epoch: 2));

        leader.Tell(FollowerFetch(epoch: 2, offset: 5, lastEpoch: 0, flushed: 5), fetcher.Ref);
        var diverging = await fetcher.ExpectMsgAsync<ReplicaDiverging>(Patience);
        Assert.Equal(new ReplicaDiverging(Epoch: 2, DivergingEpoch: 0, EndOffset: 3), diverging);

        follower.Tell(new TruncateReplica(diverging.Epoch, diverging.DivergingEpoch, diverging.EndOffset), fetcher.Ref);
        var position = await fetcher.ExpectMsgAsync<ReplicaPosition>(Patience);
        Assert.Equal(3, position.LogEnd);
        Assert.Equal(3, position.Flushed);

        // from there the logs agree: the next fetch is served, not told to cut again (empty: nothing new by the end of its wait)
        leader.Tell(FollowerFetch(epoch: 2, offset: 3, lastEpoch: position.LatestEpoch, flushed: 3), fetcher.Ref);
        Assert.Equal(0, (await fetcher.ExpectMsgAsync<ReplicaData>(Patience)).Batches.Length);

        // should node 2 lead again, its consumers never see the cut records
        follower.Tell(Leads(epoch: 3, isr: [FollowerNode], minInsync: 1, replicas: [FollowerNode, LeaderNode]));
        await ExpectConsumedAsync(follower, "m0", "m1", "m2");
    }

    [Fact]
    public async Task A_restarted_follower_that_cut_its_tail_counts_no_more_acknowledged_than_its_leader()
    {
        // node 2 led in epoch 0, took t3, t4 with acks=leader that no other node copied, and crashed; restarted, its
        // log counts as acknowledged up to its end (PartitionLog.Open), t3 and t4 included
        var crashed = StartCopy(FollowerNode);
        crashed.Tell(Leads(epoch: 0, isr: [FollowerNode, LeaderNode], minInsync: 1));
        await ProduceAllAsync(crashed, Acks.Leader, "m0", "m1", "m2");
        await ProduceAllAsync(crashed, Acks.Leader, "t3", "t4");
        await StopAndWaitAsync(crashed);

        // node 1 had m0..m2 durable (the high watermark was 3) and leads in epoch 1 with nodes 2 and 3 in sync
        var leader = StartCopy(LeaderNode);
        leader.Tell(Leads(epoch: 0, isr: [LeaderNode], minInsync: 1));
        await ProduceAllAsync(leader, "m0", "m1", "m2");
        leader.Tell(Leads(epoch: 1, isr: [LeaderNode, FollowerNode, ThirdNode], minInsync: 1, replicas: [LeaderNode, FollowerNode, ThirdNode]));
        await ProduceAllAsync(leader, Acks.Leader, "n3", "n4");

        // node 2 is back as a follower: it cuts t3, t4 and copies n3, n4, which node 3 does not have yet
        var status = new PartitionStatus();
        var follower = StartCopy(FollowerNode, status: status);
        follower.Tell(new BecomeFollower(Leader: LeaderNode, Epoch: 1));
        var fetcher = CreateTestProbe();
        leader.Tell(FollowerFetch(epoch: 1, offset: 5, lastEpoch: 0, flushed: 5), fetcher.Ref);
        var diverging = await fetcher.ExpectMsgAsync<ReplicaDiverging>(Patience);
        Assert.Equal(3, diverging.EndOffset);
        follower.Tell(new TruncateReplica(1, diverging.DivergingEpoch, diverging.EndOffset), fetcher.Ref);
        Assert.Equal(3, (await fetcher.ExpectMsgAsync<ReplicaPosition>(Patience)).LogEnd);
        leader.Tell(FollowerFetch(epoch: 1, offset: 3, lastEpoch: 0, flushed: 3), fetcher.Ref);
        var data = await fetcher.ExpectMsgAsync<ReplicaData>(Patience);
        Assert.Equal(3, data.HighWatermark); // node 3 has not copied n3, n4: they are not committed
        follower.Tell(new AppendReplicaData(1, data.Batches, data.HighWatermark), fetcher.Ref);
        Assert.Equal(5, (await fetcher.ExpectMsgAsync<ReplicaPosition>(Patience)).LogEnd);
        Assert.Equal(5, (await fetcher.ExpectMsgAsync<ReplicaDurable>(Patience)).Flushed);

        // Kafka's rule: a follower's high watermark is the leader's, capped by its own log; never more
        Assert.True(status.HighWatermark <= data.HighWatermark,
            $"follower's high watermark {status.HighWatermark} passed its leader's {data.HighWatermark} (the one it had before cutting its tail)");

        // node 1 is lost and node 2 leads with node 3: consumers must not see n3, n4 before node 3 has them
        follower.Tell(Leads(epoch: 2, isr: [FollowerNode, ThirdNode], minInsync: 1, replicas: [LeaderNode, FollowerNode, ThirdNode]));
        await ExpectConsumedAsync(follower, "m0", "m1", "m2");
    }

    [Fact]
    public async Task An_acks_all_produce_waiting_for_the_follower_is_answered_not_leader_when_the_partition_gets_a_new_leader()
    {
        var leader = StartLeader(epoch: 1, isr: [LeaderNode, FollowerNode], minInsync: 2);
        var producer = CreateTestProbe();
        leader.Tell(Produce(1, Acks.All, "orphan"), producer.Ref);
        await producer.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(300));

        leader.Tell(new BecomeFollower(Leader: FollowerNode, Epoch: 2));
        var error = await ExpectFailureAsync(producer, 1);
        Assert.Equal(BrokerErrorCode.NotLeader, error.Code);
        Assert.Contains($"node {FollowerNode}", error.Message); // where to retry
    }

    [Fact]
    public async Task An_acks_all_produce_whose_follower_stays_silent_is_answered_not_enough_replicas_after_the_ack_timeout()
    {
        var leader = StartLeader(epoch: 1, isr: [LeaderNode, FollowerNode], minInsync: 2, overrides: "golog.cluster.ack-timeout = 1s");
        var producer = CreateTestProbe();

        var sinceProduce = Stopwatch.StartNew();
        leader.Tell(Produce(1, Acks.All, "unreplicated"), producer.Ref);
        var error = await ExpectFailureAsync(producer, 1);
        Assert.True(sinceProduce.Elapsed >= TimeSpan.FromMilliseconds(950), $"gave up after {sinceProduce.ElapsedMilliseconds} ms, before the 1 s timeout");
        Assert.Equal(BrokerErrorCode.NotEnoughReplicas, error.Code);
        Assert.Contains("ack-timeout", error.Message);
    }

    [Fact]
    public async Task A_silent_follower_is_asked_out_of_the_isr_and_once_granted_acks_all_produces_no_longer_wait_for_it()
    {
        var controller = CreateTestProbe();
        var leader = StartLeader(epoch: 1, isr: [LeaderNode, FollowerNode], minInsync: 1, overrides: "golog.cluster.replica-lag-time-max = 500ms",
            isrChanges: controller.Ref);
        var producer = CreateTestProbe();
        leader.Tell(Produce(1, Acks.All, "held"), producer.Ref);

        var request = await controller.ExpectMsgAsync<IsrChangeRequest>(Patience);
        Assert.Equal((Topic, 0, LeaderNode, 1), (request.Topic, request.Partition, request.Leader, request.Epoch));
        Assert.Equal([LeaderNode], request.Isr);
        await producer.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100)); // asked, not granted: the ISR still counts node 2

        // metadata naming the smaller ISR is not enough: it may be a write a cut-off controller applied only locally
        leader.Tell(Leads(epoch: 1, isr: [LeaderNode], minInsync: 1, isrChanges: controller.Ref));
        await producer.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(300));

        leader.Tell(new IsrChangeGranted(Topic, 0, 1, [LeaderNode]), controller.Ref); // a majority holds it
        Assert.Equal(0, (await ExpectProducedAsync(producer, 1)).BaseOffset);
        await ExpectConsumedAsync(leader, "held");
    }

    [Fact]
    public async Task A_follower_outside_the_isr_that_catches_up_is_asked_back_in()
    {
        var controller = CreateTestProbe();
        var leader = StartLeader(epoch: 1, isr: [LeaderNode], minInsync: 1, isrChanges: controller.Ref);
        await ProduceAllAsync(leader, "a", "b");
        await controller.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(300)); // nobody to add yet

        leader.Tell(FollowerFetch(epoch: 1, offset: 2, lastEpoch: 1, flushed: 2), CreateTestProbe().Ref);
        var request = await controller.ExpectMsgAsync<IsrChangeRequest>(Patience);
        Assert.Equal(1, request.Epoch);
        Assert.Equal([LeaderNode, FollowerNode], request.Isr);
    }
}

/// <summary>
/// The follower's long poll on virtual time: the leader's wait timer fires only when the test moves time on, so
/// "not answered yet" and "answered because a batch was written, not because the wait ended" hold exactly.
/// </summary>
public sealed class ReplicaLongPollSpecs(ITestOutputHelper output) : VirtualTimeSpec(output)
{
    private IActorRef StartLeader()
    {
        var leader = Sys.ActorOf(CopyProps(NodeSettings(Sys.Settings.Config, Root, LeaderNode), NewSyncWorker()));
        leader.Tell(Leads(epoch: 1, isr: [LeaderNode, FollowerNode], minInsync: 1));
        return leader;
    }

    /// <summary>Returns once the partition has handled everything sent to it before (its mailbox is FIFO), parked fetches and their timers included.</summary>
    private async Task BarrierAsync(IActorRef partition)
    {
        var probe = CreateTestProbe();
        partition.Tell(ReplicaPositionQuery.Instance, probe.Ref);
        await probe.ExpectMsgAsync<ReplicaPosition>(Patience);
    }

    [Fact]
    public async Task A_parked_follower_fetch_is_answered_with_the_batch_when_it_is_written_before_its_wait_ends()
    {
        var leader = StartLeader();
        var follower = CreateTestProbe();
        leader.Tell(FollowerFetch(epoch: 1, offset: 0, lastEpoch: -1, flushed: 0), follower.Ref);
        await BarrierAsync(leader);
        Advance(TimeSpan.FromMilliseconds(400));
        await BarrierAsync(leader);
        await follower.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));

        leader.Tell(Produce(1, Acks.Leader, "news"), CreateTestProbe().Ref);
        Assert.Equal([new Rec(0, null, "news")], RecordsIn(await follower.ExpectMsgAsync<ReplicaData>(Patience)));
    }

    [Fact]
    public async Task A_parked_follower_fetch_is_answered_empty_when_its_half_second_wait_ends()
    {
        var leader = StartLeader();
        var follower = CreateTestProbe();
        leader.Tell(FollowerFetch(epoch: 1, offset: 0, lastEpoch: -1, flushed: 0), follower.Ref);
        await BarrierAsync(leader);
        Advance(TimeSpan.FromMilliseconds(490));
        await BarrierAsync(leader);
        await follower.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));

        Advance(TimeSpan.FromMilliseconds(20));
        var data = await follower.ExpectMsgAsync<ReplicaData>(Patience);
        Assert.Equal(0, data.Batches.Length);
        Assert.Equal(0, data.HighWatermark);
    }
}

/// <summary>Building blocks of the replication specs: cluster nodes' settings and copies of one partition, and the requests they get.</summary>
internal static class ReplicaCopies
{
    public const string Topic = "orders";
    public const int LeaderNode = 1, FollowerNode = 2, ThirdNode = 3;
    private const int MaxBytes = 1024 * 1024;

    /// <summary>
    /// The broker settings of cluster node <paramref name="nodeId"/> (a node id makes every partition start
    /// unassigned), with <paramref name="overrides"/> as --set would give them, storing under root/node-N so that
    /// several nodes' copies of the partition can live in one test.
    /// </summary>
    public static BrokerSettings NodeSettings(Config system, string root, int nodeId, string overrides = "") =>
        BrokerSettings.From(ConfigurationFactory.ParseString($"golog.cluster.node-id = {nodeId}\n{overrides}").WithFallback(system))
            with { StorageDirectory = Path.Combine(root, $"node-{nodeId}") };

    public static Props CopyProps(BrokerSettings settings, SyncWorker syncWorker, PartitionStatus? status = null) =>
        PartitionActor.Props(new TopicPartition(Topic, 0), settings, syncWorker, status ?? new PartitionStatus(), cleanStart: false);

    /// <summary>The metadata's word that the receiving node leads; replicas default to nodes 1 and 2.</summary>
    public static BecomeLeader Leads(int epoch, int[] isr, int minInsync, IActorRef? isrChanges = null, int[]? replicas = null) =>
        new(epoch, replicas ?? [LeaderNode, FollowerNode], isr, minInsync, isrChanges ?? ActorRefs.Nobody);

    public static CoreRequest Produce(long correlation, Acks acks, params string[] values) =>
        Req(correlation, new ProduceCommand(Topic, 0, Records.Of(values), acks));

    /// <summary>A consumer's fetch that does not wait.</summary>
    public static CoreRequest ConsumerFetch(long correlation, long offset) =>
        Req(correlation, new FetchCommand(Topic, 0, offset, MaxMessages: 100_000, MaxBytes, TimeSpan.Zero));

    /// <summary>A follower's fetch: its log end, the epoch of its last batch, how far its copy is durable.</summary>
    public static ReplicaFetch FollowerFetch(int epoch, long offset, int lastEpoch, long flushed, int follower = FollowerNode) =>
        new(Topic, 0, follower, epoch, offset, lastEpoch, flushed, MaxBytes);

    /// <summary>The records of a leader's answer to a replica fetch, decoded as a consumer would.</summary>
    public static List<Rec> RecordsIn(ReplicaData data) =>
        Records.Decode(new Fetched(Topic, 0, new ReadResult(data.Batches.ToArray(), data.Batches.Length), 0, int.MaxValue, data.HighWatermark, data.LogStartOffset));
}
