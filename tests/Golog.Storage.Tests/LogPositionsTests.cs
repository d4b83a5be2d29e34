using static Golog.Storage.Tests.LogTestExtensions;

namespace Golog.Storage.Tests;

/// <summary>Log end (appended), flushed offset (durable) and high watermark (acknowledged) move separately; reads follow the high watermark.</summary>
public class LogPositionsTests : TempDirectoryTest
{
    private static readonly LogConfig SixPerSegment = new() { SegmentMessages = 6 };

    /// <summary>Batches of 3 records at 0, 3, 6, 9 written and synced, but only marked flushed, not acknowledged.</summary>
    private PartitionLog FlushedButUnacknowledged(LogConfig config)
    {
        var log = OpenLog(PartitionDir, config);
        for (int i = 0; i < 4; i++) log.Append(Records(ValueFor(3 * i), ValueFor(3 * i + 1), ValueFor(3 * i + 2)), Timestamp);
        var position = log.WritePending();
        log.TakeUnsynced().Run();
        log.MarkFlushed(position);
        return log;
    }

    [Fact]
    public void Appending_writing_flushing_and_acknowledging_each_move_only_their_own_position()
    {
        using var log = OpenLog(PartitionDir, new LogConfig());

        log.Append(Records("a", "b"), Timestamp);
        Assert.Equal((2L, 0L, 0L), (log.LogEndOffset, log.FlushedOffset, log.HighWatermark));

        var position = log.WritePending();
        log.TakeUnsynced().Run();
        Assert.Equal((2L, 0L, 0L), (log.LogEndOffset, log.FlushedOffset, log.HighWatermark));

        log.MarkFlushed(position);
        Assert.Equal((2L, 2L, 0L), (log.LogEndOffset, log.FlushedOffset, log.HighWatermark));
        Assert.Null(log.ReadRecord(0)); // durable, but not acknowledged: not served

        log.AdvanceHighWatermark(2);
        Assert.Equal((2L, 2L, 2L), (log.LogEndOffset, log.FlushedOffset, log.HighWatermark));
        Assert.Equal("b", log.ReadRecord(1)!.Value);
    }

    [Fact]
    public void The_high_watermark_never_passes_the_flushed_offset()
    {
        using var log = FlushedButUnacknowledged(new LogConfig());
        log.Append(Records("unflushed"), Timestamp);
        log.WritePending();

        var refused = Assert.Throws<ArgumentOutOfRangeException>(() => log.AdvanceHighWatermark(13));

        Assert.Contains("would pass the flushed offset 12", refused.Message);
        Assert.Equal(0, log.HighWatermark);
    }

    [Fact]
    public void The_high_watermark_never_moves_back()
    {
        using var log = FlushedButUnacknowledged(new LogConfig());
        log.AdvanceHighWatermark(9);

        log.AdvanceHighWatermark(4);

        Assert.Equal(9, log.HighWatermark);
        log.AssertReadsEveryOffset(0, 9);
    }

    [Theory]
    [InlineData(1, 0)]
    [InlineData(2, 0)]
    [InlineData(4, 3)]
    [InlineData(5, 3)]
    [InlineData(7, 6)]
    [InlineData(11, 9)]
    public void A_high_watermark_inside_a_batch_serves_only_the_whole_batches_below_it(long highWatermark, long servedEnd)
    {
        using var log = FlushedButUnacknowledged(new LogConfig());

        log.AdvanceHighWatermark(highWatermark);

        Assert.Equal(highWatermark, log.HighWatermark);
        var served = Decode(log.Read(0, 1024 * 1024).Bytes).Select(r => r.Offset).ToList();
        Assert.Equal(Enumerable.Range(0, (int)servedEnd).Select(i => (long)i), served);
        for (long offset = servedEnd; offset < 12; offset++) Assert.Equal(0, log.Read(offset, 1024 * 1024).Length);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(6)]
    [InlineData(9)]
    [InlineData(12)]
    public void A_high_watermark_at_a_batch_boundary_serves_everything_below_it(long highWatermark)
    {
        using var log = FlushedButUnacknowledged(new LogConfig());

        log.AdvanceHighWatermark(highWatermark);

        log.AssertReadsEveryOffset(0, highWatermark);
        Assert.Equal(0, log.Read(highWatermark, 1024 * 1024).Length);
    }

    [Fact]
    public void Reads_follow_the_high_watermark_across_segments_batch_by_batch()
    {
        using var log = FlushedButUnacknowledged(SixPerSegment);

        for (long hw = 1; hw <= 12; hw++)
        {
            log.AdvanceHighWatermark(hw);
            long servedEnd = hw / 3 * 3;
            log.AssertReadsEveryOffset(0, servedEnd);
            Assert.Equal(0, log.Read(servedEnd, 1024 * 1024).Length);
        }
        Assert.Equal([0L, 6], log.Segments.Select(s => s.BaseOffset));
    }
}
