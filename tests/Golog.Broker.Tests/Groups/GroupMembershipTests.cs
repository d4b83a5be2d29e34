using Golog.Core;
using Golog.Core.Groups;
using Golog.Storage;

namespace Golog.Broker.Tests.Groups;

/// <summary>The coordinator's state machine on a fake clock: time is whatever each call says it is.</summary>
public class GroupMembershipTests
{
    private static readonly TimeSpan Session = TimeSpan.FromSeconds(10);
    private static readonly GroupRules Rules = new(TimeSpan.FromSeconds(1), Session, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(5));

    private static GroupMembership Group(int partitions = 6, string strategy = "range") =>
        new("g", Rules, PartitionAssignor.Named(strategy), new Dictionary<string, int> { ["t"] = partitions });

    private static TimeSpan At(double seconds) => TimeSpan.FromSeconds(seconds);

    private static JoinResult Join(GroupMembership g, string? member, double at, string topic = "t", TimeSpan? session = null) =>
        g.Join(member, "c", [topic], session, At(at));

    private static int[] Partitions(JoinAnswer answer) => answer.Joined!.Assignment.SelectMany(a => a.Partitions).ToArray();

    /// <summary>
    /// Two members in generation 2, split 3/3: the first joins alone, the second joins, the first rejoins after its
    /// heartbeat says so. Member ids are random, so the range order is too: A is whichever owns t-0.
    /// </summary>
    private static (GroupMembership G, string A, string B) TwoMembers()
    {
        var g = Group();
        string first = Join(g, null, 0).MemberId!;
        string second = Join(g, null, 1).MemberId!;
        Assert.Equal(BrokerErrorCode.RebalanceInProgress, g.Heartbeat(first, 1, At(1.5))?.Code);
        var answers = Join(g, first, 2).Answers;
        Assert.Equal(2, answers.Count);
        string a = answers.Single(x => Partitions(x).Contains(0)).MemberId;
        return (g, a, a == first ? second : first);
    }

    [Fact]
    public void The_first_member_gets_every_partition_in_generation_1()
    {
        var g = Group();
        var result = Join(g, null, 0);
        var answer = Assert.Single(result.Answers);
        Assert.Equal(result.MemberId, answer.MemberId);
        Assert.StartsWith("c-", result.MemberId);
        Assert.Equal(1, answer.Joined!.GenerationId);
        Assert.Equal([0, 1, 2, 3, 4, 5], Partitions(answer));
        Assert.Equal(GroupState.Stable, g.State);
    }

    [Fact]
    public void A_second_member_waits_until_the_first_rejoins_then_both_get_half_in_a_new_generation()
    {
        var g = Group();
        string a = Join(g, null, 0).MemberId!;
        var second = Join(g, null, 1);
        Assert.Empty(second.Answers); // parked
        Assert.Equal(GroupState.PreparingRebalance, g.State);
        Assert.Equal(BrokerErrorCode.RebalanceInProgress, g.Heartbeat(a, 1, At(1.5))?.Code);

        var answers = Join(g, a, 2).Answers.ToDictionary(x => x.MemberId);
        Assert.Equal(GroupState.Stable, g.State);
        Assert.All(answers.Values, x => Assert.Equal(2, x.Joined!.GenerationId));
        Assert.Equal(6, answers.Values.SelectMany(Partitions).Distinct().Count());
        Assert.Equal(3, Partitions(answers[a]).Length);
        Assert.Equal(3, Partitions(answers[second.MemberId!]).Length);
    }

    [Fact]
    public void A_member_that_stops_heartbeating_is_evicted_after_its_session_and_the_survivor_takes_everything()
    {
        var (g, a, b) = TwoMembers();
        Assert.Null(g.Heartbeat(a, 2, At(8)));
        Assert.Equal(At(12), g.NextDeadline); // b's session, restarted when generation 2 completed at 2 s

        var (evicted, _) = g.Tick(At(12));
        Assert.Equal([b], evicted);
        Assert.Equal(BrokerErrorCode.RebalanceInProgress, g.Heartbeat(a, 2, At(12.5))?.Code);
        var answer = Assert.Single(Join(g, a, 13).Answers);
        Assert.Equal(3, answer.Joined!.GenerationId);
        Assert.Equal([0, 1, 2, 3, 4, 5], Partitions(answer));
    }

    [Fact]
    public void Heartbeats_keep_a_member_alive_past_its_first_session_timeout()
    {
        var g = Group();
        string a = Join(g, null, 0).MemberId!;
        for (int s = 5; s <= 30; s += 5) Assert.Null(g.Heartbeat(a, 1, At(s)));
        Assert.Empty(g.Tick(At(35)).Evicted);
        Assert.Single(g.Tick(At(40)).Evicted);
    }

    [Fact]
    public void A_clean_leave_rebalances_at_once_without_waiting_for_the_session()
    {
        var (g, a, b) = TwoMembers();
        Assert.Null(g.Leave(b, At(3)).Error);
        Assert.Equal(BrokerErrorCode.RebalanceInProgress, g.Heartbeat(a, 2, At(3.1))?.Code);
        Assert.Equal([0, 1, 2, 3, 4, 5], Partitions(Assert.Single(Join(g, a, 3.2).Answers)));
    }

    [Fact]
    public void The_last_member_leaving_empties_the_group_and_fences_its_generation()
    {
        var g = Group();
        string a = Join(g, null, 0).MemberId!;
        g.Leave(a, At(1));
        Assert.Equal(GroupState.Empty, g.State);
        Assert.Equal(BrokerErrorCode.UnknownMemberId, g.CheckCommit(new MemberGeneration(a, 1), new TopicPartition("t", 0))?.Code);
        Assert.Null(g.CheckCommit(null, new TopicPartition("t", 0))); // manual mode works on an empty group
    }

    [Fact]
    public void A_member_that_does_not_rejoin_in_time_is_dropped_when_the_rebalance_deadline_passes()
    {
        var (g, a, b) = TwoMembers();
        Join(g, null, 3); // c joins: rebalance until 3 + 10 s
        for (double s = 4; s < 13; s += 1) g.Heartbeat(a, 2, At(s)); // a keeps heartbeating but never rejoins
        Join(g, b, 5);
        var (evicted, answers) = g.Tick(At(13));
        Assert.Equal([a], evicted);
        Assert.Equal(2, answers.Count);
        Assert.All(answers, x => Assert.Equal(3, x.Joined!.GenerationId));
    }

    [Fact]
    public void Commits_are_fenced_by_member_generation_and_ownership()
    {
        var (g, a, b) = TwoMembers();
        var ownedByA = new TopicPartition("t", 0);
        var ownedByB = new TopicPartition("t", 3);
        Assert.Null(g.CheckCommit(new MemberGeneration(a, 2), ownedByA));
        Assert.Equal(BrokerErrorCode.NotAssigned, g.CheckCommit(new MemberGeneration(a, 2), ownedByB)?.Code);
        Assert.Equal(BrokerErrorCode.IllegalGeneration, g.CheckCommit(new MemberGeneration(a, 1), ownedByA)?.Code);
        Assert.Equal(BrokerErrorCode.UnknownMemberId, g.CheckCommit(new MemberGeneration("zombie", 2), ownedByA)?.Code);
        Assert.Equal(BrokerErrorCode.UnknownMemberId, g.CheckCommit(null, ownedByA)?.Code); // manual commits would move members' offsets
        Assert.Null(g.CheckCommit(new MemberGeneration(b, 2), ownedByB));
    }

    [Fact]
    public void Commits_of_the_current_generation_are_accepted_during_a_rebalance_so_members_can_commit_before_rejoining()
    {
        var (g, a, _) = TwoMembers();
        Join(g, null, 3);
        Assert.Equal(GroupState.PreparingRebalance, g.State);
        Assert.Null(g.CheckCommit(new MemberGeneration(a, 2), new TopicPartition("t", 0)));
    }

    [Fact]
    public void Heartbeats_from_stale_or_unknown_members_are_refused()
    {
        var (g, a, _) = TwoMembers();
        Assert.Equal(BrokerErrorCode.IllegalGeneration, g.Heartbeat(a, 1, At(3))?.Code);
        Assert.Equal(BrokerErrorCode.UnknownMemberId, g.Heartbeat("nobody", 2, At(3))?.Code);
        Assert.Equal(BrokerErrorCode.UnknownMemberId, Join(g, "nobody", 3).Error?.Code);
    }

    [Fact]
    public void A_known_member_rejoining_a_stable_group_unchanged_gets_its_assignment_at_once()
    {
        var (g, a, _) = TwoMembers();
        var again = Assert.Single(Join(g, a, 3).Answers);
        Assert.Equal(2, again.Joined!.GenerationId);
        Assert.Equal(GroupState.Stable, g.State);
    }

    [Fact]
    public void A_topic_gaining_partitions_rebalances_its_subscribers_onto_them()
    {
        var g = Group(partitions: 2);
        string a = Join(g, null, 0).MemberId!;
        Assert.False(g.TopicResized("other", 4, At(1)));
        Assert.True(g.TopicResized("t", 4, At(1)));
        Assert.Equal(BrokerErrorCode.RebalanceInProgress, g.Heartbeat(a, 1, At(1.5))?.Code);
        Assert.Equal([0, 1, 2, 3], Partitions(Assert.Single(Join(g, a, 2).Answers)));
    }

    [Fact]
    public void A_session_timeout_outside_the_brokers_bounds_is_refused()
    {
        var g = Group();
        Assert.Equal(BrokerErrorCode.InvalidSessionTimeout, Join(g, null, 0, session: TimeSpan.FromMilliseconds(500)).Error?.Code);
        Assert.Equal(BrokerErrorCode.InvalidSessionTimeout, Join(g, null, 0, session: TimeSpan.FromHours(1)).Error?.Code);
        Assert.Equal(0, g.MemberCount);
    }

    [Fact]
    public void The_heartbeat_interval_given_to_a_member_is_at_most_a_third_of_its_session()
    {
        var answer = Assert.Single(Join(Group(), null, 0, session: TimeSpan.FromSeconds(2)).Answers);
        Assert.Equal(TimeSpan.FromTicks(TimeSpan.FromSeconds(2).Ticks / 3), answer.Joined!.HeartbeatInterval);
        Assert.Equal(TimeSpan.FromSeconds(2), answer.Joined.SessionTimeout);
    }

    [Fact]
    public void Describe_shows_owners_committed_offsets_high_watermarks_and_lag_per_partition()
    {
        var (g, a, _) = TwoMembers();
        var t0 = new TopicPartition("t", 0);
        var d = g.Describe(new Dictionary<TopicPartition, long> { [t0] = 4, [new TopicPartition("old", 0)] = 9 },
            new Dictionary<TopicPartition, long> { [t0] = 10 });
        Assert.Equal(GroupState.Stable, d.State);
        Assert.Equal(2, d.Members.Count);
        Assert.Equal(7, d.Offsets.Count); // six of t, plus a partition that only has a committed offset
        var row = d.Offsets.Single(o => o.Partition == new TopicPartition("t", 0));
        Assert.Equal((4L, 10L, 6L, a), (row.Committed, row.HighWatermark, row.Lag, row.MemberId));
        Assert.Null(d.Offsets.Single(o => o.Partition == new TopicPartition("t", 1)).Lag); // nothing committed: lag unknown
        Assert.Null(d.Offsets.Single(o => o.Partition.Topic == "old").MemberId);
    }
}
