using Golog.Core;
using System.Buffers;
using System.Text;
using Golog.Storage;

using Golog.Broker.Doors;

namespace Golog.Broker.Tests;

/// <summary>The plain classes the actors delegate to: group-commit bookkeeping, long-poll parking, reply ordering, key partitioning.</summary>
public sealed class GroupCommitTests
{
    // Segment is only carried through by GroupCommit, never dereferenced: positions are told apart by offset.
    private static LogPosition At(long nextOffset) => new(nextOffset, null!, nextOffset * 100);

    [Fact]
    public void One_sync_covers_every_waiter_written_before_it_started()
    {
        var commit = new GroupCommit<string>();
        commit.Appended("a");
        commit.Appended("b");
        Assert.Equal(["a", "b"], commit.Written(At(2)));
        commit.Appended("c");
        Assert.Equal(["c"], commit.Written(At(3)));

        Assert.True(commit.TryStartSync(out var target));
        Assert.Equal(3, target.NextOffset);
        Assert.False(commit.TryStartSync(out _)); // one sync at a time
        var (durable, position) = commit.SyncCompleted();
        Assert.Equal(["a", "b", "c"], durable);
        Assert.Equal(At(3), position);
        Assert.Equal(0, commit.Waiting);
        Assert.False(commit.TryStartSync(out _)); // nothing left to sync
    }

    [Fact]
    public void Writes_that_arrive_during_a_sync_are_acknowledged_by_the_next_sync_not_this_one()
    {
        var commit = new GroupCommit<string>();
        commit.Appended("first");
        commit.Written(At(1));
        Assert.True(commit.TryStartSync(out _));

        commit.Appended("during-1");
        commit.Appended("during-2");
        Assert.True(commit.HasUnwritten);
        commit.Written(At(3));
        Assert.False(commit.TryStartSync(out _));
        Assert.Equal(3, commit.Waiting);

        var (firstDurable, firstPosition) = commit.SyncCompleted();
        Assert.Equal(["first"], firstDurable);
        Assert.Equal(1, firstPosition.NextOffset); // the in-flight sync vouches only for what was written before it

        Assert.True(commit.TryStartSync(out var next));
        Assert.Equal(3, next.NextOffset);
        var (secondDurable, secondPosition) = commit.SyncCompleted();
        Assert.Equal(["during-1", "during-2"], secondDurable);
        Assert.Equal(3, secondPosition.NextOffset);
    }

    [Fact]
    public void Appended_but_unwritten_waiters_do_not_ride_on_a_sync()
    {
        var commit = new GroupCommit<string>();
        commit.Appended("written");
        commit.Written(At(1));
        commit.Appended("not-yet-written");
        Assert.True(commit.TryStartSync(out _));
        Assert.Equal(["written"], commit.SyncCompleted().Durable);
        Assert.True(commit.HasUnwritten);
        Assert.False(commit.TryStartSync(out _)); // must be written first
    }

    [Fact]
    public void Written_without_awaiting_a_sync_hands_the_waiters_back_at_once()
    {
        var commit = new GroupCommit<string>();
        commit.Appended("a");
        Assert.Equal(["a"], commit.Written(At(1), awaitSync: false));
        Assert.Equal(0, commit.Waiting);
        Assert.False(commit.TryStartSync(out _));
    }

    [Fact]
    public void TakeAll_returns_every_waiter_oldest_first_and_ForgetSync_allows_a_new_sync()
    {
        var commit = new GroupCommit<string>();
        commit.Appended("syncing");
        commit.Written(At(1));
        commit.TryStartSync(out _);
        commit.Appended("written");
        commit.Written(At(2));
        commit.Appended("unwritten");

        Assert.Equal(["syncing", "written", "unwritten"], commit.TakeAll());
        Assert.Equal(0, commit.Waiting);
        Assert.True(commit.SyncInFlight);
        commit.ForgetSync();
        Assert.False(commit.SyncInFlight);

        commit.Appended("later");
        commit.Written(At(3));
        Assert.True(commit.TryStartSync(out _));
        Assert.Equal(["later"], commit.SyncCompleted().Durable);
    }

    [Fact]
    public void Parked_fetches_are_released_once_the_high_watermark_passes_their_offset()
    {
        var polls = new LongPollQueue<string>();
        long t3 = polls.Park("at-3", 3);
        long t5 = polls.Park("at-5", 5);
        Assert.NotEqual(t3, t5);

        Assert.Empty(polls.TakeReady(3)); // nothing at offset 3 yet
        Assert.Equal(["at-3"], polls.TakeReady(4));
        Assert.False(polls.TryExpire(t3, out _)); // already served: its timer finds nothing
        Assert.Equal(1, polls.Count);

        Assert.True(polls.TryExpire(t5, out var expired));
        Assert.Equal("at-5", expired);
        Assert.Equal(0, polls.Count);
        Assert.Empty(polls.TakeReady(100));
    }

    [Fact]
    public void TakeAll_empties_the_long_poll_queue()
    {
        var polls = new LongPollQueue<string>();
        long ticket = polls.Park("a", 0);
        polls.Park("b", 7);
        Assert.Equal(["a", "b"], polls.TakeAll().Order());
        Assert.Equal(0, polls.Count);
        Assert.False(polls.TryExpire(ticket, out _));
    }

    [Fact]
    public void Replies_that_complete_out_of_order_are_written_in_request_order()
    {
        var sequencer = new ReplySequencer<string>();
        long s0 = sequencer.Register("zero"), s1 = sequencer.Register("one"), s2 = sequencer.Register("two");
        Assert.True(sequencer.TryGetContext(s1, out var context));
        Assert.Equal("one", context);
        var output = new ArrayBufferWriter<byte>();

        sequencer.Complete(s2, "2;"u8, output);
        sequencer.Complete(s1, "1;"u8, output);
        Assert.Equal(0, output.WrittenCount); // both wait for the first
        Assert.Equal(1, sequencer.Pending); // answered, only waiting to be sent
        sequencer.Complete(s0, "0;"u8, output);
        Assert.Equal("0;1;2;", Encoding.UTF8.GetString(output.WrittenSpan));
        Assert.Equal(0, sequencer.Pending);

        sequencer.Complete(s1, "again;"u8, output); // a second reply to the same request is dropped
        sequencer.Complete(99, "unknown;"u8, output);
        Assert.Equal("0;1;2;", Encoding.UTF8.GetString(output.WrittenSpan));

        long s3 = sequencer.Register("three");
        sequencer.Complete(s3, "3;"u8, output);
        Assert.Equal("0;1;2;3;", Encoding.UTF8.GetString(output.WrittenSpan));
    }

    [Theory]
    // Kafka's own murmur2 test vectors (org.apache.kafka.common.utils.UtilsTest.testMurmur2)
    [InlineData("21", -973932308)]
    [InlineData("foobar", -790332482)]
    [InlineData("a-little-bit-long-string", -985981536)]
    [InlineData("a-little-bit-longer-string", -1486304829)]
    [InlineData("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58897971)]
    [InlineData("abc", 479470107)]
    public void Murmur2_matches_Kafka(string key, int expected) =>
        Assert.Equal(expected, KeyPartitioner.Murmur2(Encoding.UTF8.GetBytes(key)));

    [Fact]
    public void A_key_always_maps_to_the_same_partition_within_range()
    {
        for (int i = 0; i < 1000; i++)
        {
            var key = Encoding.UTF8.GetBytes($"key-{i}");
            int partition = KeyPartitioner.Partition(key, 7);
            Assert.InRange(partition, 0, 6);
            Assert.Equal(partition, KeyPartitioner.Partition(key.ToArray(), 7));
        }
        Assert.Equal(0, KeyPartitioner.Partition([], 1));
    }
}
