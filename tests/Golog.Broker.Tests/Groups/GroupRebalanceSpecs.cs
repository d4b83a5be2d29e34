using Golog.Core;
using Akka.Actor;
using Akka.TestKit;
using Golog.Core.Groups;
using Golog.Storage;
using Xunit.Abstractions;

using static Golog.Broker.Tests.CoreMessages;

namespace Golog.Broker.Tests.Groups;

/// <summary>
/// Joins, rebalances, evictions and leaves as the broker runs them (GroupManager → GroupActor), on virtual time: a
/// session runs out, or a rebalance ends, exactly when the test advances past its deadline, and no test sleeps.
/// "Nothing has arrived" is checked deterministically: the group answers a probe in the order it handles requests,
/// so an answer it owed the probe earlier would come before the reply to a later request from that probe. Time is
/// advanced only once the group has answered everything sent so far: requests reach it through the group manager,
/// so one still on its way would be handled at the advanced time.
/// </summary>
public sealed class GroupRebalanceSpecs(ITestOutputHelper output) : VirtualTimeSpec(output)
{
    private static readonly TimeSpan Session = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(1);

    private IActorRef StartGroups(int partitions = 4)
    {
        var settings = Settings with { Groups = new GroupRules(TimeSpan.FromSeconds(1), Session, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(5)) };
        var groups = Sys.ActorOf(GroupManager.Props(settings, Time));
        groups.Tell(new TopicPartitionsChanged("t", partitions));
        return groups;
    }

    private static CoreRequest Join(long correlation, string? member = null) => Req(correlation, new JoinGroupCommand("g", member, "test", ["t"], null));

    private static int[] Owned(JoinedGroup joined) => joined.Assignment.SelectMany(a => a.Partitions).ToArray();

    private static async Task<JoinedGroup> JoinedAsync(TestProbe member) => (await member.ExpectResultAsync<GroupJoined>(Patience)).Joined;

    private static async Task ExpectErrorAsync(TestProbe probe, long correlation, BrokerErrorCode code)
    {
        var reply = await probe.ExpectReplyAsync(Patience);
        Assert.Equal(correlation, reply.Correlation);
        Assert.Equal(code, Assert.IsType<Failed>(reply.Result).Error.Code);
    }

    private static async Task<ICoreResult> HeartbeatAsync(IActorRef groups, TestProbe member, JoinedGroup joined)
    {
        groups.Tell(Req(0, new HeartbeatCommand("g", new MemberGeneration(joined.MemberId, joined.GenerationId))), member.Ref);
        return (await member.ExpectReplyAsync(Patience)).Result;
    }

    private static async Task ExpectRebalanceAsync(IActorRef groups, TestProbe member, JoinedGroup joined) =>
        Assert.Equal(BrokerErrorCode.RebalanceInProgress, Assert.IsType<Failed>(await HeartbeatAsync(groups, member, joined)).Error.Code);

    /// <summary>The group as <paramref name="probe"/> sees it; fails if the group owed the probe an earlier answer.</summary>
    private static async Task<GroupDescription> DescribeAsync(IActorRef groups, TestProbe probe)
    {
        groups.Tell(Req(99, new DescribeGroupQuery("g")), probe.Ref);
        return (await probe.ExpectResultAsync<GroupDescribed>(Patience)).Description;
    }

    /// <summary>A and B in generation 2, two partitions each; both sessions start now.</summary>
    private async Task<(JoinedGroup A, JoinedGroup B, TestProbe PA, TestProbe PB)> TwoMembersAsync(IActorRef groups)
    {
        var (pa, pb) = (CreateTestProbe(), CreateTestProbe());
        groups.Tell(Join(1), pa.Ref);
        var a1 = await JoinedAsync(pa);
        groups.Tell(Join(2), pb.Ref);
        await ExpectRebalanceAsync(groups, pa, a1); // handled after B's join
        await pb.ExpectNoMsgAsync(TimeSpan.Zero); // B's join is parked until A rejoins
        groups.Tell(Join(3, a1.MemberId), pa.Ref);
        return (await JoinedAsync(pa), await JoinedAsync(pb), pa, pb);
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
    public async Task A_member_is_evicted_exactly_when_its_session_runs_out_and_its_partitions_go_to_the_survivor()
    {
        var groups = StartGroups();
        var (a, b, pa, _) = await TwoMembersAsync(groups);
        Advance(Session / 2);
        Assert.IsType<GroupAcknowledged>(await HeartbeatAsync(groups, pa, a)); // A's session restarts; B stays silent
        Advance(Session / 2 - Tick);
        Assert.IsType<GroupAcknowledged>(await HeartbeatAsync(groups, pa, a)); // one tick before B's session ends: stable
        Advance(Tick);
        await ExpectRebalanceAsync(groups, pa, a); // B is evicted

        groups.Tell(Join(10, a.MemberId), pa.Ref);
        var next = await JoinedAsync(pa);
        Assert.Equal(3, next.GenerationId);
        Assert.Equal([0, 1, 2, 3], Owned(next));
        var described = await DescribeAsync(groups, pa);
        Assert.Equal([a.MemberId], described.Members.Select(m => m.MemberId));
        Assert.DoesNotContain(b.MemberId, described.Offsets.Select(o => o.MemberId));
    }

    [Fact]
    public async Task A_rebalance_ends_at_its_deadline_without_a_member_that_heartbeats_but_never_rejoins()
    {
        var groups = StartGroups();
        var (a, b, pa, pb) = await TwoMembersAsync(groups);
        var pc = CreateTestProbe();
        groups.Tell(Join(20), pc.Ref); // the rebalance starts now: its deadline is the longest session, 10 s away
        groups.Tell(Join(21, a.MemberId), pa.Ref);
        Assert.Equal(GroupState.PreparingRebalance, (await DescribeAsync(groups, pa)).State); // both joins handled, neither answered
        Advance(Session - Tick);
        await ExpectRebalanceAsync(groups, pb, b); // B is alive (its session restarts) but does not rejoin
        Assert.Equal(GroupState.PreparingRebalance, (await DescribeAsync(groups, pa)).State); // A's join is still parked
        await pc.ExpectNoMsgAsync(TimeSpan.Zero);

        Advance(Tick);
        var (a3, c3) = (await JoinedAsync(pa), await JoinedAsync(pc));
        Assert.Equal((3, 3), (a3.GenerationId, c3.GenerationId));
        Assert.Equal([0, 1, 2, 3], Owned(a3).Concat(Owned(c3)).Order().ToArray());
        groups.Tell(Req(22, new HeartbeatCommand("g", new MemberGeneration(b.MemberId, 2))), pb.Ref);
        await ExpectErrorAsync(pb, 22, BrokerErrorCode.UnknownMemberId);
    }

    [Fact]
    public async Task A_parked_join_superseded_by_a_newer_join_of_the_same_member_is_refused_and_the_newer_one_gets_the_assignment()
    {
        var groups = StartGroups();
        var (a, b, pa, pb) = await TwoMembersAsync(groups);
        var pc = CreateTestProbe();
        groups.Tell(Join(30), pc.Ref); // starts a rebalance
        groups.Tell(Join(31, a.MemberId), pa.Ref); // parked: B has not rejoined
        groups.Tell(Join(32, a.MemberId), pa.Ref); // a client retry
        await ExpectErrorAsync(pa, 31, BrokerErrorCode.RebalanceInProgress);

        groups.Tell(Join(33, b.MemberId), pb.Ref); // the last member rejoins: the rebalance completes
        var answer = await pa.ExpectReplyAsync(Patience);
        Assert.Equal(32, answer.Correlation);
        var a3 = Assert.IsType<GroupJoined>(answer.Result).Joined;
        var (b3, c3) = (await JoinedAsync(pb), await JoinedAsync(pc));
        Assert.Equal(3, a3.GenerationId);
        Assert.Equal([0, 1, 2, 3], Owned(a3).Concat(Owned(b3)).Concat(Owned(c3)).Order().ToArray());
        await pa.ExpectNoMsgAsync(TimeSpan.Zero); // one answer per request
    }

    [Fact]
    public async Task A_member_that_leaves_while_its_join_is_parked_has_the_join_refused_and_the_others_rebalance_without_it()
    {
        var groups = StartGroups();
        var (a, b, pa, pb) = await TwoMembersAsync(groups);
        var pc = CreateTestProbe();
        groups.Tell(Join(40), pc.Ref); // starts a rebalance
        groups.Tell(Join(41, a.MemberId), pa.Ref); // parked: B has not rejoined
        groups.Tell(Req(42, new LeaveGroupCommand("g", a.MemberId)), pa.Ref);
        await ExpectErrorAsync(pa, 41, BrokerErrorCode.UnknownMemberId);
        Assert.Equal(new CoreReply(42, GroupAcknowledged.Instance), await pa.ExpectReplyAsync(Patience));

        groups.Tell(Join(43, b.MemberId), pb.Ref);
        var (b3, c3) = (await JoinedAsync(pb), await JoinedAsync(pc));
        Assert.Equal((3, 3), (b3.GenerationId, c3.GenerationId));
        Assert.Equal([0, 1, 2, 3], Owned(b3).Concat(Owned(c3)).Order().ToArray());
        Assert.DoesNotContain(a.MemberId, (await DescribeAsync(groups, pb)).Members.Select(m => m.MemberId));
    }

    [Fact]
    public async Task Shutdown_answers_parked_joins_broker_shutting_down_and_refuses_new_ones()
    {
        var groups = StartGroups();
        var (pa, pb) = (CreateTestProbe(), CreateTestProbe());
        groups.Tell(Join(50), pa.Ref);
        var a = await JoinedAsync(pa);
        groups.Tell(Join(51), pb.Ref); // parked until A rejoins, which it never does
        await ExpectRebalanceAsync(groups, pa, a);

        groups.Tell(CloseForShutdown.Instance, pb.Ref);
        await ExpectErrorAsync(pb, 51, BrokerErrorCode.BrokerShuttingDown); // before the group reported itself closed
        Assert.True((await pb.ExpectMsgAsync<Closed>(Patience)).Clean);
        groups.Tell(Join(52, a.MemberId), pa.Ref);
        await ExpectErrorAsync(pa, 52, BrokerErrorCode.BrokerShuttingDown);
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
            groups.Tell(Req(60, new CommitCommand("g", tp, 5, member)), pa.Ref);
            return (await pa.ExpectReplyAsync(Patience)).Result;
        }
        Assert.Equal(BrokerErrorCode.IllegalGeneration, Assert.IsType<Failed>(await CommitAsync(mine, new(a.MemberId, 1))).Error.Code);
        Assert.Equal(BrokerErrorCode.NotAssigned, Assert.IsType<Failed>(await CommitAsync(theirs, new(a.MemberId, 2))).Error.Code);
        Assert.Equal(BrokerErrorCode.UnknownMemberId, Assert.IsType<Failed>(await CommitAsync(mine, new("zombie", 2))).Error.Code);
        Assert.Equal(BrokerErrorCode.UnknownMemberId, Assert.IsType<Failed>(await CommitAsync(mine, null)).Error.Code);
        Assert.IsType<OffsetCommitted>(await CommitAsync(mine, new(a.MemberId, 2)));

        groups.Tell(Req(61, new CommittedQuery("g", theirs)), pa.Ref);
        Assert.Null((await pa.ExpectResultAsync<CommittedOffset>(Patience)).Offset); // no refused commit moved anything
        groups.Tell(Req(62, new CommittedQuery("g", mine)), pa.Ref);
        Assert.Equal(5, (await pa.ExpectResultAsync<CommittedOffset>(Patience)).Offset);
    }

    [Fact]
    public async Task A_member_that_leaves_hands_its_partitions_over_without_waiting_for_its_session()
    {
        var groups = StartGroups();
        var (a, b, pa, pb) = await TwoMembersAsync(groups);
        groups.Tell(Req(70, new LeaveGroupCommand("g", b.MemberId)), pb.Ref);
        Assert.Equal(new CoreReply(70, GroupAcknowledged.Instance), await pb.ExpectReplyAsync(Patience));
        await ExpectRebalanceAsync(groups, pa, a); // at once: no time has passed
        groups.Tell(Join(71, a.MemberId), pa.Ref);
        var all = await JoinedAsync(pa);
        Assert.Equal([0, 1, 2, 3], Owned(all));
        groups.Tell(Req(72, new LeaveGroupCommand("g", b.MemberId)), pb.Ref);
        await ExpectErrorAsync(pb, 72, BrokerErrorCode.UnknownMemberId);
    }

    [Fact]
    public async Task A_topic_gaining_partitions_starts_a_rebalance_that_hands_out_the_new_ones()
    {
        var groups = StartGroups(partitions: 2);
        var member = CreateTestProbe();
        groups.Tell(Join(80), member.Ref);
        var joined = await JoinedAsync(member);
        Assert.Equal([0, 1], Owned(joined));
        groups.Tell(new TopicPartitionsChanged("t", 3));
        await ExpectRebalanceAsync(groups, member, joined);
        groups.Tell(Join(81, joined.MemberId), member.Ref);
        var grown = await JoinedAsync(member);
        Assert.Equal([0, 1, 2], Owned(grown));
    }
}
