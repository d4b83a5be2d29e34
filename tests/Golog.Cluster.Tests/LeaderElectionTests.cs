using System.Collections.Immutable;
using Golog.Core;

namespace Golog.Cluster.Tests;

public sealed class LeaderElectionTests
{
    private const int NoLeader = PartitionLeadership.NoLeader;

    private static PartitionAssignment Partition(int leader, int epoch, int[] isr, int[]? replicas = null) =>
        new(replicas ?? [1, 2, 3], leader, epoch, isr);

    private static HashSet<int> Live(params int[] nodes) => [.. nodes];

    /// <summary>A partition's leadership as plain values: its lists compare by content, not by reference.</summary>
    private static (int Leader, int Epoch, string Isr) Of(PartitionAssignment p) => (p.Leader, p.Epoch, string.Join(",", p.Isr));

    [Fact]
    public void A_new_topics_partitions_have_distinct_replicas_and_their_leaders_spread_evenly_over_the_nodes()
    {
        var topic = LeaderElection.Assign([3, 1, 2], partitions: 6, replicationFactor: 2, minInsync: 1, firstPartitionOffset: 0);

        Assert.Equal(6, topic.Partitions.Count);
        foreach (var p in topic.Partitions)
        {
            Assert.Equal(2, p.Replicas.Distinct().Count());
            Assert.Equal(p.Replicas[0], p.Leader); // the preferred leader: first replica
            Assert.Equal(0, p.Epoch);
            Assert.Equal(p.Replicas, p.Isr); // all in sync at birth
        }
        Assert.All(topic.Partitions.GroupBy(p => p.Leader), g => Assert.Equal(2, g.Count()));
        Assert.Equal([1, 2, 3], topic.Partitions.Select(p => p.Leader).Distinct().Order());
    }

    [Fact]
    public void Topics_created_one_after_another_start_their_leaders_on_different_nodes()
    {
        var first = LeaderElection.Assign([1, 2, 3], partitions: 1, replicationFactor: 1, minInsync: 1, firstPartitionOffset: 0);
        var second = LeaderElection.Assign([1, 2, 3], partitions: 1, replicationFactor: 1, minInsync: 1, firstPartitionOffset: 1);
        Assert.NotEqual(first.Partitions[0].Leader, second.Partitions[0].Leader);
    }

    [Fact]
    public void The_replication_factor_and_min_insync_are_capped_by_the_nodes_there_are()
    {
        var topic = LeaderElection.Assign([1, 2], partitions: 2, replicationFactor: 3, minInsync: 3, firstPartitionOffset: 0);

        Assert.All(topic.Partitions, p => Assert.Equal([1, 2], p.Replicas.Order()));
        // min.insync 3 over 2 copies could never be met: every acks=all produce would be refused
        Assert.Equal(2, topic.MinInsyncReplicas);
    }

    [Fact]
    public void Growing_a_topic_keeps_its_existing_partitions_as_they_are()
    {
        var existing = new List<PartitionAssignment> { Partition(leader: 2, epoch: 7, isr: [2, 3]), Partition(leader: 3, epoch: 1, isr: [3]) };

        var grown = LeaderElection.Assign([1, 2, 3], partitions: 4, replicationFactor: 3, minInsync: 2, firstPartitionOffset: 0, fromPartition: 2, existing);

        Assert.Equal(4, grown.Partitions.Count);
        Assert.Same(existing[0], grown.Partitions[0]);
        Assert.Same(existing[1], grown.Partitions[1]);
        Assert.All(grown.Partitions.Skip(2), p => Assert.Equal((0, 3), (p.Epoch, p.Isr.Count)));
    }

    [Fact]
    public void A_lost_leader_gives_way_to_the_first_live_isr_member_in_a_new_epoch_and_leaves_the_isr()
    {
        var elected = LeaderElection.Reelect(Partition(leader: 1, epoch: 4, isr: [1, 3, 2]), Live(2, 3));
        Assert.Equal((3, 5, "3,2"), Of(elected));
    }

    [Fact]
    public void A_live_replica_outside_the_isr_is_never_elected_and_the_isr_is_kept_for_when_a_member_is_back()
    {
        var p = Partition(leader: 1, epoch: 4, isr: [1, 2]);

        var leaderless = LeaderElection.Reelect(p, Live(3));
        Assert.Equal((NoLeader, 5, "1,2"), Of(leaderless)); // the old leader is fenced by the new epoch

        // still nobody in sync: no further epoch, nothing for the controller to write
        Assert.Same(leaderless, LeaderElection.Reelect(leaderless, Live(3)));

        var back = LeaderElection.Reelect(leaderless, Live(3, 2));
        Assert.Equal((2, 6, "2"), Of(back)); // node 1 is still lost: it leaves the ISR
    }

    [Fact]
    public void A_leader_that_comes_back_leads_again_in_a_new_epoch()
    {
        var leaderless = LeaderElection.Reelect(Partition(leader: 1, epoch: 0, isr: [1]), Live(2, 3));
        Assert.Equal((NoLeader, 1, "1"), Of(leaderless));

        Assert.Equal((1, 2, "1"), Of(LeaderElection.Reelect(leaderless, Live(1, 2, 3))));
    }

    [Fact]
    public void Lost_followers_stay_in_the_isr_until_their_leader_asks_to_drop_them()
    {
        Assert.Equal((1, 4, "1,2,3"), Of(LeaderElection.Reelect(Partition(leader: 1, epoch: 4, isr: [1, 2, 3]), Live(1, 3))));
        Assert.Equal((1, 4, "1,2,3"), Of(LeaderElection.Reelect(Partition(leader: 1, epoch: 4, isr: [1, 2, 3]), Live(1))));
    }

    [Fact]
    public void Reelecting_over_all_topics_changes_only_the_partitions_that_lost_someone()
    {
        var untouched = new TopicAssignment([Partition(leader: 2, epoch: 0, isr: [2, 3], replicas: [2, 3])], 1);
        var topics = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, new Dictionary<string, TopicAssignment>
        {
            ["orders"] = new([Partition(leader: 1, epoch: 0, isr: [1, 2, 3]), Partition(leader: 2, epoch: 3, isr: [2, 3])], 2),
            ["audit"] = untouched,
        });

        var after = LeaderElection.Reelect(topics, Live(2, 3));

        Assert.Same(untouched, after["audit"]);
        Assert.Equal([(2, 1, "2,3"), (2, 3, "2,3")], after["orders"].Partitions.Select(Of));
        Assert.Same(after, LeaderElection.Reelect(after, Live(2, 3))); // nothing more to change
    }

    [Fact]
    public void An_isr_change_is_granted_to_the_leader_in_its_epoch_keeping_itself_in()
    {
        Assert.Null(LeaderElection.CheckIsrChange(Partition(leader: 1, epoch: 5, isr: [1, 2, 3]), leader: 1, epoch: 5, isr: [1, 3]));
    }

    [Theory]
    [InlineData(1, 4, new[] { 1, 3 }, "does not lead")] // a stale epoch: the leader was deposed and re-elected meanwhile
    [InlineData(2, 5, new[] { 1, 2 }, "does not lead")] // a follower
    [InlineData(1, 5, new[] { 2, 3 }, "leader must stay")] // the leader drops itself
    [InlineData(1, 5, new[] { 1, 4 }, "only hold replicas")] // a node that holds no copy
    public void An_isr_change_is_refused(int leader, int epoch, int[] isr, string why)
    {
        var refusal = LeaderElection.CheckIsrChange(Partition(leader: 1, epoch: 5, isr: [1, 2, 3]), leader, epoch, isr);
        Assert.NotNull(refusal);
        Assert.Contains(why, refusal);
    }
}
