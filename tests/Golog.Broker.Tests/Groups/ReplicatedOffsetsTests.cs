using Golog.Core;
using Golog.Core.Groups;
using Golog.Storage;

namespace Golog.Broker.Tests.Groups;

/// <summary>A cluster group's commit bookkeeping: one write at a time, offsets only from acknowledged writes.</summary>
public class ReplicatedOffsetsTests
{
    private static readonly TopicPartition Log = new(OffsetsTopic.Name, 3);
    private static readonly TopicPartition Orders = new("orders", 0), Clicks = new("clicks", 1);

    private static OffsetCommitRecord Commit(TopicPartition tp, long offset) => new("g", tp, offset);

    /// <summary>The records a produce would store, decoded back.</summary>
    private static List<OffsetsRecord?> Written(ProduceCommand produce) =>
        Enumerable.Range(0, produce.Records.Count).Select(i => produce.Records[i])
            .Select(r => OffsetsRecordCodec.Decode(r.Key!.Value.Span, r.Value.Span)).ToList();

    [Fact]
    public void Commits_become_offsets_only_when_their_write_is_acknowledged_and_one_write_is_in_flight_at_a_time()
    {
        var offsets = new ReplicatedOffsets<string>("g", Log, new Dictionary<TopicPartition, long> { [Clicks] = 2 });
        offsets.Append("first", Commit(Orders, 5));
        offsets.Append("second", Commit(Orders, 6));
        var produce = offsets.NextBatch()!;
        Assert.Equal((OffsetsTopic.Name, 3, Acks.All), (produce.Topic, produce.Partition, produce.Acks));
        Assert.Equal([Commit(Orders, 5), Commit(Orders, 6)], Written(produce));

        offsets.Append("third", Commit(Orders, 7));
        Assert.Null(offsets.NextBatch()); // the next waits for the one in flight: records stay in commit order
        Assert.False(offsets.Offsets.ContainsKey(Orders));

        Assert.Equal(["first", "second"], offsets.Acknowledged());
        Assert.Equal(6, offsets.Offsets[Orders]);
        Assert.Equal(2, offsets.Offsets[Clicks]); // the replayed offsets stay
        Assert.False(offsets.Settled);
        Assert.Equal([Commit(Orders, 7)], Written(offsets.NextBatch()!));
        Assert.Equal(["third"], offsets.WriteFailed());
        Assert.Equal(6, offsets.Offsets[Orders]); // a failed write counts for nothing
        Assert.True(offsets.Settled);
    }

    [Fact]
    public void A_forgotten_topic_drops_its_offsets_once_written_and_a_resignation_hands_back_every_waiter()
    {
        var offsets = new ReplicatedOffsets<string>("g", Log, new Dictionary<TopicPartition, long> { [Clicks] = 2, [Orders] = 1 });
        offsets.Append("forget", new TopicForgottenRecord("g", Clicks.Topic));
        offsets.NextBatch();
        Assert.Equal(["forget"], offsets.Acknowledged());
        Assert.Equal([Orders], offsets.Offsets.Keys);

        offsets.Append("in flight", Commit(Orders, 9));
        offsets.NextBatch();
        offsets.Append("waiting", Commit(Orders, 10));
        Assert.Equal(["in flight", "waiting"], offsets.TakeAll());
        Assert.True(offsets.Settled);
        Assert.Null(offsets.NextBatch());
        Assert.Equal(1, offsets.Offsets[Orders]);
    }
}
