using static Golog.Storage.Tests.LogTestExtensions;

namespace Golog.Storage.Tests;

public class OffsetIndexTests : TempDirectoryTest
{
    private static readonly LogConfig DenseIndex = new() { SegmentMessages = 10, IndexIntervalBytes = 64 };

    [Fact]
    public void Lookup_returns_the_last_entry_at_or_before_the_offset()
    {
        var index = new OffsetIndex();
        index.Add(0, 0);
        index.Add(5, 400);
        index.Add(9, 800);

        Assert.Equal(0, index.Lookup(0));
        Assert.Equal(0, index.Lookup(4));
        Assert.Equal(400, index.Lookup(5));
        Assert.Equal(400, index.Lookup(8));
        Assert.Equal(800, index.Lookup(9));
        Assert.Equal(800, index.Lookup(1000));
    }

    [Fact]
    public void Lookup_in_an_empty_index_starts_at_the_beginning_of_the_segment()
    {
        Assert.Equal(0, new OffsetIndex().Lookup(17));
    }

    [Fact]
    public void An_index_grows_past_its_initial_capacity_and_survives_serialization()
    {
        var index = new OffsetIndex(capacity: 1);
        for (int i = 0; i < 1000; i++) index.Add(i * 3, i * 100);

        var parsed = OffsetIndex.TryParse(index.Serialize(), logSize: 1_000_000);

        Assert.NotNull(parsed);
        Assert.Equal(1000, parsed.Count);
        for (int i = 0; i < 1000; i++) Assert.Equal(i * 100, parsed.Lookup(i * 3 + 2));
    }

    [Fact]
    public void Truncating_after_a_position_drops_the_entries_at_or_past_it()
    {
        var index = new OffsetIndex();
        index.Add(0, 0);
        index.Add(5, 400);
        index.Add(9, 800);

        index.TruncateAfterPosition(400);

        Assert.Equal(1, index.Count);
        Assert.Equal(0, index.Lookup(9));
    }

    [Theory]
    [InlineData(new byte[] { 0, 0, 0, 0, 0, 0, 0 })] // not whole entries
    [InlineData(new byte[] { 0, 0, 0, 0, 0, 0, 0, 0, /**/ 0, 0, 0, 0, 0, 0, 0, 0 })] // offsets not increasing
    [InlineData(new byte[] { 0, 0, 0, 0, 0, 0, 0, 0, /**/ 0, 0, 0, 5, 0, 0, 0, 0 })] // positions not increasing
    [InlineData(new byte[] { 0, 0, 0, 0, 0, 0, 3, 232 })] // position 1000 is past a 1000-byte log
    [InlineData(new byte[] { 255, 255, 255, 255, 0, 0, 0, 0 })] // negative offset
    [InlineData(new byte[0])] // no entry for a log with batches: content a crash lost (an index is written without an fsync at a clean close)
    public void An_implausible_index_file_is_rejected(byte[] bytes)
    {
        Assert.Null(OffsetIndex.TryParse(bytes, logSize: 1000));
    }

    [Fact]
    public void With_a_small_index_interval_sealed_segments_get_many_entries_each_at_a_batch_start()
    {
        using (var log = OpenLog(PartitionDir, DenseIndex))
        {
            log.AppendUpTo(35);
            log.Close();
        }

        foreach (long baseOffset in new long[] { 0, 10, 20, 30 })
        {
            var batches = BatchesInFile(LogFile(PartitionDir, baseOffset));
            var bytes = File.ReadAllBytes(IndexFile(PartitionDir, baseOffset));
            var index = OffsetIndex.TryParse(bytes, new FileInfo(LogFile(PartitionDir, baseOffset)).Length);
            Assert.NotNull(index);
            Assert.True(index.Count >= 3, $"segment {baseOffset} has {index.Count} index entries");
            for (int i = 0; i < index.Count; i++)
            {
                int rel = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(i * 8));
                int pos = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(i * 8 + 4));
                Assert.Contains((pos, baseOffset + rel), batches.Select(b => ((int)b.Position, b.BaseOffset)));
            }
        }
    }

    [Fact]
    public void Every_offset_finds_its_own_batch_through_a_dense_index_including_segment_boundaries()
    {
        using var log = OpenLog(PartitionDir, DenseIndex);
        log.AppendUpTo(35);

        foreach (var segment in log.Segments)
        {
            var batches = BatchesInFile(segment.LogPath);
            foreach (var batch in batches)
                Assert.Equal(batch.Position, segment.FindBatchPosition(batch.BaseOffset, segment.WrittenSize));
            Assert.Equal(-1, segment.FindBatchPosition(segment.NextOffset, segment.WrittenSize));
        }
        log.AssertReadsEveryOffset(0, 35);
    }

    [Fact]
    public void Offsets_inside_multi_record_batches_find_the_batch_that_holds_them_after_a_reopen()
    {
        using (var log = OpenLog(PartitionDir, DenseIndex))
        {
            for (int i = 0; i < 12; i++) log.AppendBatchDurably(1 + i % 4);
            log.Close();
        }

        using var reopened = OpenLog(PartitionDir, DenseIndex, cleanShutdown: true);
        long end = reopened.LogEndOffset;
        Assert.True(reopened.Segments.Count > 2);
        reopened.AssertReadsEveryOffset(0, end);
        foreach (var segment in reopened.Segments)
            foreach (var batch in BatchesInFile(segment.LogPath))
                for (long o = batch.BaseOffset; o < batch.NextOffset; o++)
                    Assert.Equal(batch.Position, segment.FindBatchPosition(o, segment.WrittenSize));
    }
}
