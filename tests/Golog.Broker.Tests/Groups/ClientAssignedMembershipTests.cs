using Golog.Core;
using Golog.Core.Groups;
using Golog.Storage;

namespace Golog.Broker.Tests.Groups;

/// <summary>Kafka's classic coordinator with client-side assignment, on a fake clock: time is whatever each call says it is.</summary>
public class ClientAssignedMembershipTests
{
    private static readonly TimeSpan Session = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan RebalanceTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan Delay = TimeSpan.FromSeconds(3);

    private static ClientAssignedMembership Group(TimeSpan? delay = null) =>
        new("g", new GroupRules(TimeSpan.FromSeconds(1), Session, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(5), delay ?? Delay));

    private static TimeSpan At(double seconds) => TimeSpan.FromSeconds(seconds);

    private static GroupProtocol Range(string metadata = "m") => new("range", System.Text.Encoding.UTF8.GetBytes(metadata));

    private static ClientGroupResult Join(ClientAssignedMembership g, string? member, double at, params GroupProtocol[] protocols) =>
        g.Join(member, "client", "/127.0.0.1", Session, RebalanceTimeout, "consumer", protocols.Length == 0 ? [Range()] : protocols, At(at));

    private static ClientGroupJoined Joined(IParkedAnswer answer)
    {
        Assert.Equal(ParkedRequest.Join, answer.Request);
        return Assert.IsType<ClientGroupJoined>(answer.Result);
    }

    private static byte[] Bytes(string s) => System.Text.Encoding.UTF8.GetBytes(s);

    /// <summary>A (leader) and B in generation 1 after the initial delay, both syncs answered: the group is Stable.</summary>
    private static (ClientAssignedMembership G, string A, string B) TwoStable()
    {
        var g = Group();
        string a = Join(g, null, 0, Range("a-meta")).MemberId!;
        string b = Join(g, null, 1, Range("b-meta")).MemberId!;
        var (_, answers) = g.Tick(At(4));
        Assert.Equal(2, answers.Count);
        Assert.Empty(g.Sync(b, 1, new Dictionary<string, byte[]>(), At(4)).Answers); // parked until the leader's
        var synced = g.Sync(a, 1, new Dictionary<string, byte[]> { [a] = Bytes("A"), [b] = Bytes("B") }, At(4)).Answers;
        Assert.Equal(2, synced.Count);
        Assert.Equal(GroupState.Stable, g.State);
        return (g, a, b);
    }

    [Fact]
    public void Members_joining_within_the_initial_delay_share_the_first_generation_and_only_the_leader_gets_the_member_list()
    {
        var g = Group();
        var first = Join(g, null, 0, Range("a-meta"));
        Assert.Empty(first.Answers); // held for the initial delay even though every member has joined
        var second = Join(g, null, 2, Range("b-meta")); // extends the delay to t=5
        Assert.Empty(second.Answers);
        Assert.Empty(g.Tick(At(4.9)).Answers);
        Assert.Equal(At(5), g.NextDeadline);

        var answers = g.Tick(At(5)).Answers.Select(Joined).ToDictionary(j => j.MemberId);

        Assert.Equal(GroupState.CompletingRebalance, g.State);
        var leader = answers[first.MemberId!];
        Assert.Equal((1, "range", first.MemberId), (leader.GenerationId, leader.Protocol, leader.LeaderId));
        Assert.Equal([(first.MemberId!, "a-meta"), (second.MemberId!, "b-meta")],
            leader.Members.Select(m => (m.MemberId, System.Text.Encoding.UTF8.GetString(m.Metadata))));
        Assert.Empty(answers[second.MemberId!].Members);
        Assert.Equal(first.MemberId, answers[second.MemberId!].LeaderId);
    }

    [Fact]
    public void The_initial_delay_never_outlasts_the_rebalance_timeout()
    {
        var g = Group(delay: TimeSpan.FromSeconds(50));
        Join(g, null, 0);
        Join(g, null, 40); // would extend to t=90, capped at t=60
        Assert.Equal(At(60), g.NextDeadline);
        Assert.Equal(2, g.Tick(At(60)).Answers.Count);
    }

    [Fact]
    public void Without_an_initial_delay_a_lone_member_leads_generation_1_at_once_and_its_sync_makes_the_group_stable()
    {
        var g = Group(delay: TimeSpan.Zero);
        var joined = Joined(Assert.Single(Join(g, null, 0).Answers));
        Assert.Equal((1, joined.MemberId), (joined.GenerationId, joined.LeaderId));
        var synced = Assert.Single(g.Sync(joined.MemberId, 1, new Dictionary<string, byte[]> { [joined.MemberId] = Bytes("A") }, At(1)).Answers);
        Assert.Equal(Bytes("A"), Assert.IsType<GroupSynced>(synced.Result).Assignment);
        Assert.Equal(GroupState.Stable, g.State);
    }

    [Fact]
    public void A_follower_sync_waits_for_the_leaders_and_then_gets_its_own_assignment()
    {
        var g = Group();
        string a = Join(g, null, 0).MemberId!;
        string b = Join(g, null, 1).MemberId!;
        g.Tick(At(4));
        Assert.Empty(g.Sync(b, 1, new Dictionary<string, byte[]>(), At(4)).Answers);
        Assert.Equal(GroupState.CompletingRebalance, g.State);

        var answers = g.Sync(a, 1, new Dictionary<string, byte[]> { [a] = Bytes("A") }, At(5)).Answers
            .ToDictionary(x => x.MemberId, x => Assert.IsType<GroupSynced>(x.Result).Assignment);

        Assert.Equal(Bytes("A"), answers[a]);
        Assert.Empty(answers[b]); // the leader gave it nothing
        Assert.Equal(GroupState.Stable, g.State);
    }

    [Fact]
    public void A_join_in_a_stable_group_sends_the_others_rebalance_in_progress_and_a_new_generation_follows_their_rejoins()
    {
        var (g, a, b) = TwoStable();
        string c = Join(g, null, 5).MemberId!;
        Assert.Equal(GroupState.PreparingRebalance, g.State);
        Assert.Equal(BrokerErrorCode.RebalanceInProgress, g.Heartbeat(a, 1, At(5.5))?.Code);
        Assert.Equal(BrokerErrorCode.RebalanceInProgress, g.Sync(b, 1, new Dictionary<string, byte[]>(), At(5.5)).Error?.Code);
        Assert.Empty(Join(g, a, 6).Answers);
        var answers = Join(g, b, 7).Answers.Select(Joined).ToList();
        Assert.Equal(3, answers.Count);
        Assert.All(answers, j => Assert.Equal((2, a), (j.GenerationId, j.LeaderId))); // the leader stays the leader
        Assert.Equal(3, answers.Single(j => j.MemberId == a).Members.Count);
        Assert.Contains(answers, j => j.MemberId == c);
    }

    [Fact]
    public void Members_that_do_not_rejoin_within_the_rebalance_timeout_are_dropped_and_a_new_leader_is_chosen()
    {
        var (g, a, b) = TwoStable();
        Assert.Empty(Join(g, b, 5, Range("changed")).Answers); // changed metadata: a rebalance that waits for A
        for (int t = 8; t <= 64; t += 8) // heartbeats keep A's session but do not rejoin it
        {
            Assert.Equal(BrokerErrorCode.RebalanceInProgress, g.Heartbeat(a, 1, At(t))?.Code);
            Assert.Empty(g.Tick(At(t)).Evicted);
        }
        Assert.Equal(At(65), g.NextDeadline);
        var (dropped, answers) = g.Tick(At(65));
        Assert.Equal([a], dropped);
        var joined = Joined(Assert.Single(answers));
        Assert.Equal((2, b, b), (joined.GenerationId, joined.LeaderId, joined.MemberId));
    }

    [Fact]
    public void A_silent_member_is_evicted_after_its_session_timeout_and_the_group_rebalances_without_it()
    {
        var (g, a, b) = TwoStable();
        g.Heartbeat(a, 1, At(10));
        var (evicted, _) = g.Tick(At(14)); // B last heard from at t=4
        Assert.Equal([b], evicted);
        Assert.Equal(GroupState.PreparingRebalance, g.State);
        var joined = Joined(Assert.Single(Join(g, a, 15).Answers));
        Assert.Equal(2, joined.GenerationId);
        Assert.Single(joined.Members);
    }

    [Fact]
    public void An_unchanged_follower_rejoining_a_stable_group_gets_the_current_generation_without_a_rebalance()
    {
        var (g, _, b) = TwoStable();
        var joined = Joined(Assert.Single(Join(g, b, 5, Range("b-meta")).Answers));
        Assert.Equal(1, joined.GenerationId);
        Assert.Equal(GroupState.Stable, g.State);
    }

    [Fact]
    public void Leaving_rebalances_the_rest_and_the_last_leave_empties_the_group()
    {
        var (g, a, b) = TwoStable();
        Assert.Null(g.Leave(b, At(5)).Error);
        Assert.Equal(GroupState.PreparingRebalance, g.State);
        Assert.Equal(BrokerErrorCode.RebalanceInProgress, g.Heartbeat(a, 1, At(5))?.Code);
        Assert.Single(Join(g, a, 6).Answers);
        Assert.Null(g.Leave(a, At(7)).Error);
        Assert.Equal((GroupState.Empty, 0), (g.State, g.MemberCount));
        Assert.Equal(BrokerErrorCode.UnknownMemberId, g.Leave(a, At(8)).Error?.Code);
    }

    [Fact]
    public void Heartbeats_and_syncs_are_fenced_by_member_and_generation()
    {
        var (g, a, _) = TwoStable();
        Assert.Null(g.Heartbeat(a, 1, At(5)));
        Assert.Equal(BrokerErrorCode.IllegalGeneration, g.Heartbeat(a, 0, At(5))?.Code);
        Assert.Equal(BrokerErrorCode.UnknownMemberId, g.Heartbeat("nobody", 1, At(5))?.Code);
        Assert.Equal(BrokerErrorCode.IllegalGeneration, g.Sync(a, 2, new Dictionary<string, byte[]>(), At(5)).Error?.Code);
        Assert.Equal(BrokerErrorCode.UnknownMemberId, Join(g, "nobody", 5).Error?.Code);
    }

    [Fact]
    public void Commits_follow_Kafkas_rules_manual_only_when_empty_fenced_by_generation_refused_while_the_assignment_is_awaited()
    {
        var tp = new TopicPartition("t", 0);
        var g = Group(delay: TimeSpan.Zero);
        Assert.Null(g.CheckCommit(null, tp));
        string a = Join(g, null, 0).MemberId!;
        Assert.Equal(BrokerErrorCode.UnknownMemberId, g.CheckCommit(null, tp)?.Code);
        Assert.Equal(BrokerErrorCode.RebalanceInProgress, g.CheckCommit(new MemberGeneration(a, 1), tp)?.Code); // CompletingRebalance
        g.Sync(a, 1, new Dictionary<string, byte[]>(), At(1));
        Assert.Null(g.CheckCommit(new MemberGeneration(a, 1), tp));
        Assert.Equal(BrokerErrorCode.IllegalGeneration, g.CheckCommit(new MemberGeneration(a, 0), tp)?.Code);
        Join(g, null, 2); // PreparingRebalance: members may still commit what they processed
        Assert.Null(g.CheckCommit(new MemberGeneration(a, 1), tp));
    }

    [Fact]
    public void A_joiner_without_a_protocol_every_member_supports_is_refused_with_inconsistent_group_protocol()
    {
        var (g, _, _) = TwoStable();
        var refused = Join(g, null, 5, new GroupProtocol("RoundRobinAssigner", []));
        Assert.Equal(BrokerErrorCode.InconsistentGroupProtocol, refused.Error?.Code);
        Assert.Contains("RoundRobinAssigner", refused.Error!.Message);
        var other = g.Join(null, "c", "h", Session, RebalanceTimeout, "connect", [Range()], At(5));
        Assert.Equal(BrokerErrorCode.InconsistentGroupProtocol, other.Error?.Code);
        Assert.Equal(2, g.MemberCount);
    }

    [Fact]
    public void The_protocol_is_voted_among_those_every_member_supports()
    {
        var g = Group(delay: TimeSpan.Zero);
        var roundrobin = new GroupProtocol("roundrobin", []);
        string a = Join(g, null, 0, Range(), roundrobin).MemberId!;
        g.Sync(a, 1, new Dictionary<string, byte[]>(), At(0));
        Join(g, null, 1, roundrobin); // supports only roundrobin: the group's next generation must use it
        var answers = Join(g, a, 2, Range(), roundrobin).Answers.Select(Joined).ToList();
        Assert.All(answers, j => Assert.Equal("roundrobin", j.Protocol));
    }

    [Fact]
    public void A_session_timeout_outside_the_brokers_bounds_is_refused()
    {
        var g = Group();
        var refused = g.Join(null, "c", "h", TimeSpan.FromMinutes(10), RebalanceTimeout, "consumer", [Range()], At(0));
        Assert.Equal(BrokerErrorCode.InvalidSessionTimeout, refused.Error?.Code);
        Assert.Equal(0, g.MemberCount);
    }

    [Fact]
    public void Describe_shows_the_client_assigned_kind_protocol_and_each_members_host_metadata_and_assignment()
    {
        var (g, a, b) = TwoStable();
        var d = g.Describe(new Dictionary<TopicPartition, long> { [new("t", 1)] = 7 }, new Dictionary<TopicPartition, long> { [new("t", 1)] = 9 });
        Assert.Equal((GroupKind.ClientAssigned, "consumer", "range", GroupState.Stable), (d.Kind, d.ProtocolType, d.Protocol, d.State));
        var members = d.Members.ToDictionary(m => m.MemberId, m => m.Client!);
        Assert.Equal(("/127.0.0.1", "a-meta", "A"), (members[a].ClientHost, System.Text.Encoding.UTF8.GetString(members[a].Metadata),
            System.Text.Encoding.UTF8.GetString(members[a].Assignment)));
        Assert.Equal("B", System.Text.Encoding.UTF8.GetString(members[b].Assignment));
        Assert.Equal(2, Assert.Single(d.Offsets).Lag);
    }
}
