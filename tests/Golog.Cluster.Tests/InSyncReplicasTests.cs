using Akka.Actor;
using Golog.Core.Replication;

namespace Golog.Cluster.Tests;

/// <summary>Node 1 leads; nodes 2 and 3 follow. Time is explicit: the class takes "now" from its caller.</summary>
public sealed class InSyncReplicasTests
{
    private static readonly DateTime T0 = new(2026, 1, 1, 12, 0, 0, DateTimeKind.Utc);
    private static readonly TimeSpan LagMax = TimeSpan.FromSeconds(10);

    private static InSyncReplicas Leading(int[] isr, int minInsync = 1) =>
        new(1, new BecomeLeader(1, [1, 2, 3], isr, minInsync, ActorRefs.Nobody), T0);

    private static DateTime At(double seconds) => T0.AddSeconds(seconds);

    [Fact]
    public void The_high_watermark_is_the_smallest_durable_end_over_the_isr()
    {
        var isr = Leading([1, 2, 3]);
        isr.Fetched(2, fetchOffset: 10, flushed: 8, leaderLogEnd: 12, At(1));
        isr.Fetched(3, fetchOffset: 9, flushed: 9, leaderLogEnd: 12, At(1));

        Assert.Equal(8, isr.HighWatermark(leaderFlushed: 12)); // node 2 holds 8..9 but not durably
        Assert.Equal(5, isr.HighWatermark(leaderFlushed: 5)); // nor past what the leader has durable
    }

    [Fact]
    public void A_follower_that_never_fetched_holds_the_high_watermark_at_zero()
    {
        var isr = Leading([1, 2]);
        Assert.Equal(0, isr.HighWatermark(leaderFlushed: 100));

        // nor does an ISR member the leader knows nothing of count as caught up
        var withStranger = Leading([1, 2, 4]);
        withStranger.Fetched(2, fetchOffset: 100, flushed: 100, leaderLogEnd: 100, At(1));
        Assert.Equal(0, withStranger.HighWatermark(leaderFlushed: 100));
    }

    [Fact]
    public void A_follower_outside_the_isr_does_not_hold_the_high_watermark_back()
    {
        var isr = Leading([1, 2]);
        isr.Fetched(2, fetchOffset: 7, flushed: 7, leaderLogEnd: 7, At(1));
        Assert.Equal(7, isr.HighWatermark(leaderFlushed: 7)); // node 3 never fetched
    }

    [Fact]
    public void A_follower_counts_durable_no_further_than_it_has_fetched()
    {
        var isr = Leading([1, 2]);
        isr.Fetched(2, fetchOffset: 4, flushed: 40, leaderLogEnd: 50, At(1));
        Assert.Equal(4, isr.HighWatermark(leaderFlushed: 50));
    }

    [Fact]
    public void A_durable_report_between_fetches_moves_the_high_watermark_up_to_what_the_follower_fetched()
    {
        var isr = Leading([1, 2]);
        isr.Durable(2, flushed: 5); // before any fetch: says nothing about what it holds
        Assert.Equal(0, isr.HighWatermark(leaderFlushed: 10));

        isr.Fetched(2, fetchOffset: 6, flushed: 2, leaderLogEnd: 10, At(1));
        isr.Durable(2, flushed: 6);
        Assert.Equal(6, isr.HighWatermark(leaderFlushed: 10));
        isr.Durable(2, flushed: 3); // a late, older report
        Assert.Equal(6, isr.HighWatermark(leaderFlushed: 10));
        isr.Durable(2, flushed: 9);
        Assert.Equal(6, isr.HighWatermark(leaderFlushed: 10)); // past its fetch offset: not believed
    }

    [Fact]
    public void A_silent_follower_is_dropped_from_the_isr_only_after_the_lag_time()
    {
        var isr = Leading([1, 2, 3]);
        isr.Fetched(3, fetchOffset: 0, flushed: 0, leaderLogEnd: 0, At(9));

        Assert.Null(isr.Shrunk(At(10), LagMax)); // a new leader gives everyone the full lag time
        Assert.Equal([1, 3], isr.Shrunk(At(10.5), LagMax));
    }

    [Fact]
    public void A_follower_that_keeps_fetching_but_never_reaches_the_leaders_log_end_is_dropped_too()
    {
        var isr = Leading([1, 2]);
        isr.Fetched(2, fetchOffset: 0, flushed: 0, leaderLogEnd: 1000, At(1));
        for (int s = 2; s <= 12; s++) isr.Fetched(2, fetchOffset: s * 10, flushed: s * 10, leaderLogEnd: 1000 + s * 100, At(s));

        Assert.Equal([1], isr.Shrunk(At(12), LagMax));
    }

    [Fact]
    public void A_follower_that_reaches_the_log_end_the_leader_had_at_its_previous_fetch_stays_in_sync_under_steady_produce()
    {
        var isr = Leading([1, 2]);
        long leaderEnd = 0;
        for (int s = 1; s <= 30; s++)
        {
            long previousEnd = leaderEnd;
            leaderEnd += 100; // the log end moves on while every fetch travels
            isr.Fetched(2, fetchOffset: previousEnd, flushed: previousEnd, leaderLogEnd: leaderEnd, At(s));
        }
        Assert.Null(isr.Shrunk(At(30), LagMax));
    }

    [Fact]
    public void A_follower_outside_the_isr_is_asked_back_once_its_copy_is_durable_to_the_high_watermark()
    {
        var isr = Leading([1, 2]);
        isr.Fetched(2, fetchOffset: 50, flushed: 50, leaderLogEnd: 50, At(1));
        long hw = isr.HighWatermark(leaderFlushed: 50);
        Assert.Null(isr.Expanded(hw, At(1), LagMax));

        isr.Fetched(3, fetchOffset: 50, flushed: 20, leaderLogEnd: 50, At(2));
        Assert.Null(isr.Expanded(hw, At(2), LagMax)); // has it, but not durable: it would lower the high watermark

        isr.Fetched(3, fetchOffset: 50, flushed: 50, leaderLogEnd: 50, At(3));
        Assert.Equal([1, 2, 3], isr.Expanded(hw, At(3), LagMax));
    }

    [Fact]
    public void A_granted_isr_change_decides_whether_acks_all_can_be_taken()
    {
        var isr = Leading([1, 2], minInsync: 2);
        Assert.True(isr.EnoughInSync);

        Assert.False(isr.Update(new BecomeLeader(1, [1, 2, 3], [1], 2, ActorRefs.Nobody))); // seen in metadata: not yet granted
        Assert.True(isr.EnoughInSync);
        Assert.True(isr.Update(new BecomeLeader(1, [1, 2, 3], [1, 2, 3], 2, ActorRefs.Nobody))); // a member back counts at once
        Assert.Equal([1, 2, 3], isr.Isr);

        Assert.True(isr.Granted([1]));
        Assert.False(isr.EnoughInSync);
        Assert.Equal(50, isr.HighWatermark(leaderFlushed: 50)); // alone in sync: its own durable end
    }
}
