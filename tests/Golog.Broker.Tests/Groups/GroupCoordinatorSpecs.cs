using Golog.Core;
using Akka.Actor;
using Akka.TestKit;
using Golog.Core.Groups;
using Golog.Storage;
using Xunit.Abstractions;

using static Golog.Broker.Tests.CoreMessages;

namespace Golog.Broker.Tests.Groups;

/// <summary>
/// The group coordinator as the broker runs it (GroupManager → GroupActor), with short session timeouts so
/// evictions happen within the test: a member's session is 1.5 s (room for a loaded CI machine between two
/// heartbeats), heartbeats every 100 ms.
/// </summary>
public sealed class GroupCoordinatorSpecs(ITestOutputHelper output) : BrokerSpec(output)
{
    private static readonly TimeSpan Session = TimeSpan.FromMilliseconds(1500);

    private IActorRef StartGroups(int partitions = 4)
    {
        var settings = Settings with { Groups = new GroupRules(TimeSpan.FromMilliseconds(100), Session, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(30)) };
        var groups = Sys.ActorOf(GroupManager.Props(settings));
        groups.Tell(new TopicPartitionsChanged("t", partitions));
        return groups;
    }

    private static CoreRequest Join(long correlation, string? member = null) => Req(correlation, new JoinGroupCommand("g", member, "test", ["t"], null));

    private static int[] Owned(JoinedGroup joined) => joined.Assignment.SelectMany(a => a.Partitions).ToArray();

    private async Task<JoinedGroup> JoinAloneAsync(IActorRef groups, TestProbe member)
    {
        groups.Tell(Join(1), member.Ref);
        return (await member.ExpectResultAsync<GroupJoined>(Patience)).Joined;
    }

    /// <summary>Heartbeats (bounded) until the coordinator says the group is rebalancing.</summary>
    private async Task HeartbeatUntilRebalanceAsync(IActorRef groups, TestProbe member, JoinedGroup joined)
    {
        for (int i = 0; i < 100; i++)
        {
            groups.Tell(Req(i, new HeartbeatCommand("g", new MemberGeneration(joined.MemberId, joined.GenerationId))), member.Ref);
            var reply = (await member.ExpectReplyAsync(Patience)).Result;
            if (reply is Failed { Error.Code: BrokerErrorCode.RebalanceInProgress }) return;
            if (reply is Failed other) Assert.Fail($"heartbeat refused: {other.Error}");
            Assert.IsType<GroupAcknowledged>(reply);
            await Task.Delay(100);
        }
        Assert.Fail("the coordinator never reported a rebalance");
    }

    /// <summary>A and B in generation 2, two partitions each.</summary>
    private async Task<(JoinedGroup A, JoinedGroup B, TestProbe PA, TestProbe PB)> TwoMembersAsync(IActorRef groups)
    {
        var (pa, pb) = (CreateTestProbe(), CreateTestProbe());
        var a1 = await JoinAloneAsync(groups, pa);
        groups.Tell(Join(2), pb.Ref);
        await pb.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(200)); // parked until A rejoins
        await HeartbeatUntilRebalanceAsync(groups, pa, a1);
        groups.Tell(Join(3, a1.MemberId), pa.Ref);
        var a = (await pa.ExpectResultAsync<GroupJoined>(Patience)).Joined;
        var b = (await pb.ExpectResultAsync<GroupJoined>(Patience)).Joined;
        return (a, b, pa, pb);
    }

    [Fact]
    public async Task A_join_during_a_rebalance_waits_and_both_members_get_disjoint_halves_in_the_next_generation()
    {
        var groups = StartGroups();
        var (a, b, _, _) = await TwoMembersAsync(groups);
        Assert.Equal(2, a.GenerationId);
        Assert.Equal(2, b.GenerationId);
        Assert.Equal(2, Owned(a).Length);
        Assert.Equal(2, Owned(b).Length);
        Assert.Equal([0, 1, 2, 3], Owned(a).Concat(Owned(b)).Order().ToArray());
    }

    [Fact]
    public async Task A_member_that_stops_heartbeating_is_evicted_and_its_partitions_go_to_the_survivor()
    {
        var groups = StartGroups();
        var (a, b, pa, _) = await TwoMembersAsync(groups);
        await HeartbeatUntilRebalanceAsync(groups, pa, a); // B is silent: evicted after its session
        groups.Tell(Join(10, a.MemberId), pa.Ref);
        var next = (await pa.ExpectResultAsync<GroupJoined>(Patience)).Joined;
        Assert.Equal(3, next.GenerationId);
        Assert.Equal([0, 1, 2, 3], Owned(next));

        var describe = CreateTestProbe();
        groups.Tell(Req(11, new DescribeGroupQuery("g")), describe.Ref);
        var d = (await describe.ExpectResultAsync<GroupDescribed>(Patience)).Description;
        Assert.Equal([a.MemberId], d.Members.Select(m => m.MemberId));
        Assert.DoesNotContain(b.MemberId, d.Offsets.Select(o => o.MemberId));
    }

    [Fact]
    public async Task Commits_from_a_stale_generation_an_unknown_member_or_for_a_partition_not_owned_are_refused()
    {
        var groups = StartGroups();
        var (a, b, pa, _) = await TwoMembersAsync(groups);
        var mine = new TopicPartition("t", Owned(a)[0]);
        var theirs = new TopicPartition("t", Owned(b)[0]);

        async Task<object> CommitAsync(TopicPartition tp, MemberGeneration? member)
        {
            groups.Tell(Req(20, new CommitCommand("g", tp, 5, member)), pa.Ref);
            return (await pa.ExpectReplyAsync(Patience)).Result;
        }
        Assert.Equal(BrokerErrorCode.IllegalGeneration, Assert.IsType<Failed>(await CommitAsync(mine, new(a.MemberId, 1))).Error.Code);
        Assert.Equal(BrokerErrorCode.NotAssigned, Assert.IsType<Failed>(await CommitAsync(theirs, new(a.MemberId, 2))).Error.Code);
        Assert.Equal(BrokerErrorCode.UnknownMemberId, Assert.IsType<Failed>(await CommitAsync(mine, new("zombie", 2))).Error.Code);
        Assert.Equal(BrokerErrorCode.UnknownMemberId, Assert.IsType<Failed>(await CommitAsync(mine, null)).Error.Code);
        Assert.IsType<OffsetCommitted>(await CommitAsync(mine, new(a.MemberId, 2)));

        groups.Tell(Req(21, new CommittedQuery("g", theirs)), pa.Ref);
        Assert.Null((await pa.ExpectResultAsync<CommittedOffset>(Patience)).Offset); // no refused commit moved anything
        groups.Tell(Req(22, new CommittedQuery("g", mine)), pa.Ref);
        Assert.Equal(5, (await pa.ExpectResultAsync<CommittedOffset>(Patience)).Offset);
    }

    [Fact]
    public async Task A_member_that_leaves_hands_its_partitions_over_without_waiting_for_its_session()
    {
        var groups = StartGroups();
        var (a, b, pa, pb) = await TwoMembersAsync(groups);
        groups.Tell(Req(30, new LeaveGroupCommand("g", b.MemberId)), pb.Ref);
        Assert.Equal(new CoreReply(30, GroupAcknowledged.Instance), await pb.ExpectReplyAsync(Patience));
        groups.Tell(Req(31, new HeartbeatCommand("g", new MemberGeneration(a.MemberId, 2))), pa.Ref);
        Assert.Equal(BrokerErrorCode.RebalanceInProgress, (await pa.ExpectResultAsync<Failed>(Patience)).Error.Code);
        groups.Tell(Join(32, a.MemberId), pa.Ref);
        var all = Owned((await pa.ExpectResultAsync<GroupJoined>(Patience)).Joined);
        Assert.Equal([0, 1, 2, 3], all);
        groups.Tell(Req(33, new LeaveGroupCommand("g", b.MemberId)), pb.Ref);
        Assert.Equal(BrokerErrorCode.UnknownMemberId, (await pb.ExpectResultAsync<Failed>(Patience)).Error.Code);
    }

    [Fact]
    public async Task A_topic_gaining_partitions_starts_a_rebalance_that_hands_out_the_new_ones()
    {
        var groups = StartGroups(partitions: 2);
        var member = CreateTestProbe();
        var joined = await JoinAloneAsync(groups, member);
        Assert.Equal([0, 1], Owned(joined));
        groups.Tell(new TopicPartitionsChanged("t", 3));
        await HeartbeatUntilRebalanceAsync(groups, member, joined);
        groups.Tell(Join(40, joined.MemberId), member.Ref);
        var grown = Owned((await member.ExpectResultAsync<GroupJoined>(Patience)).Joined);
        Assert.Equal([0, 1, 2], grown);
    }

    [Fact]
    public async Task Requests_for_groups_that_do_not_exist_create_nothing_and_list_shows_manual_and_coordinated_groups()
    {
        var groups = StartGroups();
        var probe = CreateTestProbe();
        groups.Tell(Req(50, new DescribeGroupQuery("nobody")), probe.Ref);
        Assert.Equal(BrokerErrorCode.UnknownGroup, (await probe.ExpectResultAsync<Failed>(Patience)).Error.Code);
        groups.Tell(Req(51, new HeartbeatCommand("nobody", new MemberGeneration("m", 1))), probe.Ref);
        Assert.Equal(BrokerErrorCode.UnknownMemberId, (await probe.ExpectResultAsync<Failed>(Patience)).Error.Code);

        groups.Tell(Req(52, new CommitCommand("manual", new TopicPartition("t", 0), 3)), probe.Ref);
        await probe.ExpectResultAsync<OffsetCommitted>(Patience);
        await JoinAloneAsync(groups, probe);
        groups.Tell(Req(53, ListGroupsQuery.Instance), probe.Ref);
        var listed = (await probe.ExpectResultAsync<GroupsListed>(Patience)).Groups;
        Assert.Equal([new GroupListing("g", GroupState.Stable, 1), new GroupListing("manual", GroupState.Empty, 0)], listed);
        Assert.DoesNotContain(listed, g => g.Group == "nobody");
    }

    [Fact]
    public async Task Groups_with_only_stored_offsets_are_listed_and_described_after_a_restart()
    {
        var first = StartGroups();
        var probe = CreateTestProbe();
        first.Tell(Req(60, new CommitCommand("manual", new TopicPartition("t", 1), 8)), probe.Ref);
        await probe.ExpectResultAsync<OffsetCommitted>(Patience);
        await StopAndWaitAsync(first);

        var groups = StartGroups();
        groups.Tell(Req(61, ListGroupsQuery.Instance), probe.Ref);
        Assert.Equal([new GroupListing("manual", GroupState.Empty, 0)], (await probe.ExpectResultAsync<GroupsListed>(Patience)).Groups);
        groups.Tell(Req(62, new DescribeGroupQuery("manual", new Dictionary<TopicPartition, long> { [new("t", 1)] = 10 })), probe.Ref);
        var row = Assert.Single((await probe.ExpectResultAsync<GroupDescribed>(Patience)).Description.Offsets);
        Assert.Equal((8L, 10L, 2L), (row.Committed, row.HighWatermark, row.Lag));
    }
}
