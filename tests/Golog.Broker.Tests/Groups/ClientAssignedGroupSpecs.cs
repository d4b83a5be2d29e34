using Akka.Actor;
using Akka.TestKit;
using Golog.Core;
using Golog.Core.Groups;
using Golog.Storage;
using Xunit.Abstractions;

using static Golog.Broker.Tests.CoreMessages;

namespace Golog.Broker.Tests.Groups;

/// <summary>
/// Client-assigned (Kafka) groups as the broker runs them (GroupManager → GroupActor) on virtual time: joins held for
/// the initial rebalance delay, the leader's assignment handed out through parked syncs, the session timer, and the one
/// coordinator and offset store that both kinds of group share. Time is advanced only once the group has answered
/// everything sent so far (see <see cref="GroupRebalanceSpecs"/>).
/// </summary>
public sealed class ClientAssignedGroupSpecs(ITestOutputHelper output) : VirtualTimeSpec(output)
{
    private static readonly TimeSpan Session = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Delay = TimeSpan.FromSeconds(3);
    private static readonly TopicPartition T0 = new("t", 0);

    private IActorRef StartGroups()
    {
        var settings = Settings with { Groups = new GroupRules(TimeSpan.FromSeconds(1), Session, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(5), Delay) };
        var groups = Sys.ActorOf(GroupManager.Props(settings, Time));
        groups.Tell(new TopicPartitionsChanged("t", 4));
        return groups;
    }

    private static CoreRequest KafkaJoin(long correlation, string? member = null, string protocol = "range") =>
        Req(correlation, new ClientJoinGroupCommand("g", member, "kafka-client", "/127.0.0.1", Session, TimeSpan.FromSeconds(60), "consumer",
            [new GroupProtocol(protocol, [1, 2, 3])]));

    private static CoreRequest Sync(long correlation, ClientGroupJoined joined, Dictionary<string, byte[]>? assignments = null) =>
        Req(correlation, new SyncGroupCommand("g", new MemberGeneration(joined.MemberId, joined.GenerationId), assignments ?? []));

    private static async Task<Failed> ExpectFailedAsync(TestProbe probe, BrokerErrorCode code)
    {
        var failed = await probe.ExpectResultAsync<Failed>(Patience);
        Assert.Equal(code, failed.Error.Code);
        return failed;
    }

    /// <summary>Two Kafka members in generation 1 (the leader first), both synced with the leader's bytes "A" and "B".</summary>
    private async Task<(ClientGroupJoined Leader, ClientGroupJoined Follower, TestProbe PL, TestProbe PF)> TwoStableAsync(IActorRef groups)
    {
        var (pl, pf) = (CreateTestProbe(), CreateTestProbe());
        groups.Tell(KafkaJoin(1), pl.Ref);
        groups.Tell(KafkaJoin(2), pf.Ref);
        await pl.ExpectNoMsgAsync(TimeSpan.Zero);
        groups.Tell(Req(90, new DescribeGroupQuery("g")), pf.Ref); // both joins have been handled once this is answered
        Assert.Equal(GroupState.PreparingRebalance, (await pf.ExpectResultAsync<GroupDescribed>(Patience)).Description.State);
        Advance(Delay);
        var leader = await pl.ExpectResultAsync<ClientGroupJoined>(Patience);
        var follower = await pf.ExpectResultAsync<ClientGroupJoined>(Patience);
        groups.Tell(Sync(3, follower), pf.Ref);
        groups.Tell(Sync(4, leader, new() { [leader.MemberId] = "A"u8.ToArray(), [follower.MemberId] = "B"u8.ToArray() }), pl.Ref);
        Assert.Equal("A"u8.ToArray(), (await pl.ExpectResultAsync<GroupSynced>(Patience)).Assignment);
        Assert.Equal("B"u8.ToArray(), (await pf.ExpectResultAsync<GroupSynced>(Patience)).Assignment);
        return (leader, follower, pl, pf);
    }

    [Fact]
    public async Task Two_consumers_starting_together_share_generation_1_and_get_the_bytes_their_leader_assigned()
    {
        var groups = StartGroups();
        var (leader, follower, _, pf) = await TwoStableAsync(groups);

        Assert.Equal((1, leader.MemberId, leader.MemberId), (leader.GenerationId, leader.LeaderId, follower.LeaderId));
        Assert.Equal([leader.MemberId, follower.MemberId], leader.Members.Select(m => m.MemberId));
        Assert.All(leader.Members, m => Assert.Equal([1, 2, 3], m.Metadata));
        Assert.Empty(follower.Members);
        groups.Tell(Req(5, new DescribeGroupQuery("g")), pf.Ref);
        var d = (await pf.ExpectResultAsync<GroupDescribed>(Patience)).Description;
        Assert.Equal((GroupKind.ClientAssigned, GroupState.Stable, "range", 2), (d.Kind, d.State, d.Protocol, d.Members.Count));
    }

    [Fact]
    public async Task A_silent_consumer_is_evicted_at_its_session_timeout_and_the_survivor_is_told_to_rejoin()
    {
        var groups = StartGroups();
        var (leader, _, pl, _) = await TwoStableAsync(groups);
        Advance(Session - TimeSpan.FromSeconds(1));
        groups.Tell(Req(6, new HeartbeatCommand("g", new MemberGeneration(leader.MemberId, 1))), pl.Ref);
        await pl.ExpectResultAsync<GroupAcknowledged>(Patience);
        Advance(TimeSpan.FromSeconds(1)); // the follower's session ends; the leader's was just refreshed

        groups.Tell(Req(7, new HeartbeatCommand("g", new MemberGeneration(leader.MemberId, 1))), pl.Ref);
        await ExpectFailedAsync(pl, BrokerErrorCode.RebalanceInProgress);
        groups.Tell(KafkaJoin(8, leader.MemberId), pl.Ref);
        var alone = await pl.ExpectResultAsync<ClientGroupJoined>(Patience);
        Assert.Equal(2, alone.GenerationId);
        Assert.Equal([leader.MemberId], alone.Members.Select(m => m.MemberId));
    }

    [Fact]
    public async Task A_parked_sync_is_answered_rebalance_in_progress_when_a_new_member_joins_before_the_leader_assigns()
    {
        var groups = StartGroups();
        var (pa, pb) = (CreateTestProbe(), CreateTestProbe());
        groups.Tell(KafkaJoin(1), pa.Ref);
        groups.Tell(Req(90, new DescribeGroupQuery("g")), pa.Ref);
        await pa.ExpectResultAsync<GroupDescribed>(Patience);
        Advance(Delay);
        var a = await pa.ExpectResultAsync<ClientGroupJoined>(Patience);
        groups.Tell(KafkaJoin(2), pb.Ref);
        groups.Tell(Sync(3, a), pa.Ref); // after the join: the generation it syncs for is already over
        await ExpectFailedAsync(pa, BrokerErrorCode.RebalanceInProgress);
        await pb.ExpectNoMsgAsync(TimeSpan.Zero); // B waits for A to rejoin
    }

    [Fact]
    public async Task A_group_of_one_kind_refuses_members_of_the_other_until_it_is_empty_and_generations_carry_on()
    {
        var groups = StartGroups();
        var (json, kafka) = (CreateTestProbe(), CreateTestProbe());
        groups.Tell(Req(1, new JoinGroupCommand("g", null, "json", ["t"], null)), json.Ref);
        var joined = (await json.ExpectResultAsync<GroupJoined>(Patience)).Joined;

        groups.Tell(KafkaJoin(2), kafka.Ref);
        var refused = await ExpectFailedAsync(kafka, BrokerErrorCode.GroupKindConflict);
        Assert.Contains("JSON-door members", refused.Error.Message);

        groups.Tell(Req(3, new LeaveGroupCommand("g", joined.MemberId)), json.Ref);
        await json.ExpectResultAsync<GroupAcknowledged>(Patience);
        groups.Tell(KafkaJoin(4), kafka.Ref);
        groups.Tell(Req(90, new DescribeGroupQuery("g")), kafka.Ref);
        await kafka.ExpectResultAsync<GroupDescribed>(Patience);
        Advance(Delay);
        var k = await kafka.ExpectResultAsync<ClientGroupJoined>(Patience);
        Assert.Equal(3, k.GenerationId); // 1 joined, 2 emptied by the leave, 3 now

        groups.Tell(Req(5, new JoinGroupCommand("g", null, "json", ["t"], null)), json.Ref);
        Assert.Contains("Kafka-client members", (await ExpectFailedAsync(json, BrokerErrorCode.GroupKindConflict)).Error.Message);
        groups.Tell(Req(6, new SyncGroupCommand("g", new MemberGeneration(joined.MemberId, 1), new Dictionary<string, byte[]>())), json.Ref);
        await ExpectFailedAsync(json, BrokerErrorCode.UnknownMemberId);
    }

    [Fact]
    public async Task Offsets_are_one_store_a_manual_commit_is_seen_by_a_consumer_group_and_its_commits_by_a_plain_query()
    {
        var groups = StartGroups();
        var probe = CreateTestProbe();
        groups.Tell(Req(1, new CommitCommand("g", T0, 5)), probe.Ref); // the JSON door's manual commit
        await probe.ExpectResultAsync<OffsetCommitted>(Patience);
        var (leader, follower, pl, pf) = await TwoStableAsync(groups);

        groups.Tell(Req(2, new CommittedQuery("g", T0)), pl.Ref);
        Assert.Equal(5, (await pl.ExpectResultAsync<CommittedOffset>(Patience)).Offset);
        groups.Tell(Req(3, new CommitCommand("g", T0, 9, new MemberGeneration(follower.MemberId, 1))), pf.Ref);
        await pf.ExpectResultAsync<OffsetCommitted>(Patience);
        groups.Tell(Req(4, new CommitCommand("g", T0, 11)), probe.Ref); // a manual commit while the group has members
        await ExpectFailedAsync(probe, BrokerErrorCode.UnknownMemberId);
        groups.Tell(Req(5, new CommitCommand("g", T0, 12, new MemberGeneration(leader.MemberId, 0))), pl.Ref);
        await ExpectFailedAsync(pl, BrokerErrorCode.IllegalGeneration);

        groups.Tell(Req(6, new CommittedQuery("g", T0)), probe.Ref);
        Assert.Equal(9, (await probe.ExpectResultAsync<CommittedOffset>(Patience)).Offset);
    }
}
