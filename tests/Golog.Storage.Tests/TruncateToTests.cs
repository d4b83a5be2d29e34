using static Golog.Storage.Tests.LogTestExtensions;

namespace Golog.Storage.Tests;

/// <summary>
/// <see cref="PartitionLog.TruncateTo"/>: whole batches from the one holding the offset are dropped, across segments,
/// pending and unsynced bytes included; the log reopens (cleanly or after a kill) exactly at the new end.
/// </summary>
public class TruncateToTests : TempDirectoryTest
{
    // about three batches per segment, an index entry for nearly every batch
    private static readonly LogConfig SmallSegments = new() { SegmentBytes = 300, IndexIntervalBytes = 64 };
    private static readonly int[] BatchSizes = [1, 3, 2, 1, 3, 2, 2, 1, 3, 1, 2, 3];

    /// <summary>The batches of <see cref="BatchSizes"/>, written, synced and marked flushed, none acknowledged; returns their base offsets and the end.</summary>
    private static List<long> WriteUnacknowledged(PartitionLog log)
    {
        var boundaries = new List<long>();
        foreach (int size in BatchSizes)
        {
            boundaries.Add(log.LogEndOffset);
            long start = log.LogEndOffset;
            log.Append(Records(Enumerable.Range(0, size).Select(i => ValueFor(start + i)).ToArray()), Timestamp);
            var position = log.WritePending();
            log.TakeUnsynced().Run();
            log.MarkFlushed(position);
        }
        boundaries.Add(log.LogEndOffset);
        return boundaries;
    }

    private string PartitionDirFor(long offset, bool clean) => Path.Combine(Root, $"t-{offset}-{clean}", "orders-0");

    private static void AcknowledgeAll(PartitionLog log) => log.AdvanceHighWatermark(log.FlushedOffset);

    private static PartitionLog Reopen(PartitionLog log, bool clean)
    {
        if (clean) log.Close(); else log.Dispose(); // no Close: as a kill leaves it
        return OpenLog(log.Directory, log.Config);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Truncating_at_every_batch_boundary_of_a_multi_segment_log_survives_reopening(bool clean)
    {
        List<long> boundaries;
        using (var probe = OpenLog(PartitionDirFor(-1, clean), SmallSegments)) boundaries = WriteUnacknowledged(probe);
        long end = boundaries[^1];

        foreach (long offset in boundaries)
        {
            var log = OpenLog(PartitionDirFor(offset, clean), SmallSegments);
            WriteUnacknowledged(log);
            Assert.True(log.Segments.Count > 3, "the test needs several segments");

            log.TruncateTo(offset);

            Assert.Equal((offset, offset, 0L), (log.LogEndOffset, log.FlushedOffset, log.HighWatermark));
            Assert.All(log.Segments, s => Assert.True(s.BaseOffset <= offset));
            log = Reopen(log, clean);
            Assert.Equal(offset, log.LogEndOffset);
            log.AssertReadsEveryOffset(0, offset);
            Assert.Equal(0, log.Read(offset, 1 << 20).Length);

            log.AppendUpTo(end + 5); // rolls again over the same offsets
            log = Reopen(log, clean);
            Assert.Equal(end + 5, log.LogEndOffset);
            log.AssertReadsEveryOffset(0, end + 5);
            log.Close();
            AssertIndexFilesMatchTheirLogs(log.Directory);
        }
    }

    /// <summary>Every sealed segment's index file is what a rebuild from its log gives: a truncation left no stale entries.</summary>
    private static void AssertIndexFilesMatchTheirLogs(string dir)
    {
        var bases = StorageLayout.FindSegments(DiskFileSystem.Instance, dir);
        var written = bases.ToDictionary(b => b, b => File.ReadAllBytes(IndexFile(dir, b)));
        foreach (long b in bases) File.Delete(IndexFile(dir, b));
        using (var rebuilt = OpenLog(dir, SmallSegments)) rebuilt.AssertReadsEveryOffset(0, rebuilt.LogEndOffset);
        foreach (long b in bases.SkipLast(1)) Assert.Equal(written[b], File.ReadAllBytes(IndexFile(dir, b)));
    }

    [Fact]
    public void Truncating_inside_a_batch_drops_the_whole_batch_and_lowers_a_high_watermark_inside_it()
    {
        using var log = OpenLog(PartitionDir, SmallSegments);
        var boundaries = WriteUnacknowledged(log);
        long batchStart = boundaries[4], inside = batchStart + 1; // a three-record batch
        log.AdvanceHighWatermark(inside);

        log.TruncateTo(inside);

        Assert.Equal((batchStart, batchStart, batchStart), (log.LogEndOffset, log.FlushedOffset, log.HighWatermark));
        log.AssertReadsEveryOffset(0, batchStart);
        Assert.Equal((batchStart, batchStart), log.AppendDurably(ValueFor(batchStart)));
    }

    [Fact]
    public void Truncating_below_the_high_watermark_is_refused_and_changes_nothing()
    {
        using var log = OpenLog(PartitionDir, SmallSegments);
        WriteUnacknowledged(log);
        log.AdvanceHighWatermark(6);

        var refused = Assert.Throws<ArgumentOutOfRangeException>(() => log.TruncateTo(5));

        Assert.Contains("below the high watermark 6", refused.Message);
        Assert.Equal(24, log.LogEndOffset);
        AcknowledgeAll(log);
        log.AssertReadsEveryOffset(0, 24);
    }

    [Fact]
    public void Truncating_at_or_past_the_log_end_changes_nothing()
    {
        using var log = OpenLog(PartitionDir, SmallSegments);
        WriteUnacknowledged(log);

        log.TruncateTo(24);
        log.TruncateTo(1000);

        Assert.Equal(24, log.LogEndOffset);
        AcknowledgeAll(log);
        log.AssertReadsEveryOffset(0, 24);
    }

    [Fact]
    public void Pending_batches_never_written_are_cut_at_a_batch_boundary_too_even_across_a_roll()
    {
        using var log = OpenLog(PartitionDir, SmallSegments);
        log.AppendUpTo(2);
        for (int i = 0; i < 6; i++) log.Append(Records($"pending-{i}a", $"pending-{i}b"), Timestamp); // rolls on the way
        Assert.Equal(14, log.LogEndOffset);

        log.TruncateTo(9); // inside the pending batch 8..9

        Assert.Equal(8, log.LogEndOffset);
        log.AppendUpTo(12);
        Assert.Equal("pending-0a", log.ReadRecord(2)!.Value);
        Assert.Equal("pending-2b", log.ReadRecord(7)!.Value);
        log.AssertReadsEveryOffset(8, 12);
        log.Dispose();
        using var reopened = OpenLog(PartitionDir, SmallSegments);
        Assert.Equal(12, reopened.LogEndOffset);
        Assert.Equal(ValueFor(11), reopened.ReadRecord(11)!.Value);
    }

    [Fact]
    public void A_seal_taken_before_a_truncation_into_its_segment_does_not_write_a_stale_index()
    {
        var log = OpenLog(PartitionDir, SmallSegments);
        for (int i = 0; i < 12; i++) log.Append(Records(ValueFor(i)), Timestamp); // rolls: segment 0 is to be sealed
        log.WritePending();
        var inFlight = log.TakeUnsynced(); // on its way to a sync thread

        log.TruncateTo(2);
        inFlight.Run();

        Assert.Single(log.Segments);
        Assert.False(File.Exists(IndexFile(PartitionDir, 0)), "the active segment must not look sealed");
        log.Dispose();
        using var reopened = OpenLog(PartitionDir, SmallSegments);
        Assert.Equal(2, reopened.LogEndOffset);
        reopened.AssertReadsEveryOffset(0, 2);
    }

    [Fact]
    public void Bytes_a_failed_write_left_past_the_written_end_are_cut_too()
    {
        using (var log = OpenLog(PartitionDir, SmallSegments))
        {
            log.AppendUpTo(2);
            long written = log.Segments[^1].WrittenSize;
            log.Append(Records("lost"), Timestamp);
            using (var f = new FileStream(LogFile(PartitionDir, 0), FileMode.Open, FileAccess.Write, FileShare.ReadWrite) { Position = written })
                f.Write(new byte[] { 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 90, 1, 2, 3 }); // the first bytes of a write cut short

            log.TruncateTo(log.HighWatermark);

            Assert.Equal(written, new FileInfo(LogFile(PartitionDir, 0)).Length);
            log.AppendUpTo(4);
        }
        using var reopened = OpenLog(PartitionDir, SmallSegments);
        Assert.Equal(4, reopened.LogEndOffset);
        reopened.AssertReadsEveryOffset(0, 4);
    }
}
