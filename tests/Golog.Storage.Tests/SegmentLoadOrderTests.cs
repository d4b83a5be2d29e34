using static Golog.Storage.Tests.LogTestExtensions;

namespace Golog.Storage.Tests;

/// <summary>Segments load in numeric base-offset order (the seed sorted names, so "100" came before "20").</summary>
public class SegmentLoadOrderTests : TempDirectoryTest
{
    private static readonly LogConfig TenPerSegment = new() { SegmentMessages = 10 };

    [Fact]
    public void Segments_based_at_0_10_and_100_reopen_in_order_and_every_offset_reads_back()
    {
        using (var log = OpenLog(PartitionDir, TenPerSegment))
        {
            log.AppendBatchDurably(10);  // segment 0: offsets 0..9
            log.AppendBatchDurably(90);  // segment 10: offsets 10..99 in one batch
            log.AppendBatchDurably(5);   // segment 100
            log.AppendUpTo(112);         // and segment 110
        }

        using var reopened = OpenLog(PartitionDir, TenPerSegment);

        Assert.Equal([0L, 10, 100, 110], reopened.Segments.Select(s => s.BaseOffset));
        Assert.Equal(0, reopened.LogStartOffset);
        Assert.Equal(112, reopened.LogEndOffset);
        reopened.AssertReadsEveryOffset(0, 112);
        Assert.Equal((112L, 112L), reopened.AppendDurably(ValueFor(112)));
    }

    [Fact]
    public void Many_segments_reopen_in_numeric_order_after_a_clean_close()
    {
        using (var log = OpenLog(PartitionDir, TenPerSegment))
        {
            log.AppendUpTo(125);
            log.Close();
        }

        using var reopened = OpenLog(PartitionDir, TenPerSegment, cleanShutdown: true);

        Assert.Equal(Enumerable.Range(0, 13).Select(i => i * 10L), reopened.Segments.Select(s => s.BaseOffset));
        Assert.Equal(125, reopened.LogEndOffset);
        reopened.AssertReadsEveryOffset(0, 125);
    }

    [Fact]
    public void Segment_files_are_listed_by_numeric_base_offset_not_by_name()
    {
        Directory.CreateDirectory(PartitionDir);
        foreach (var name in new[] { "100.log", "20.log", "3.log", "00000000000000000010.log", "0.log" })
            File.WriteAllBytes(Path.Combine(PartitionDir, name), []);

        Assert.Equal([0L, 3, 10, 20, 100], StorageLayout.FindSegments(DiskFileSystem.Instance, PartitionDir));
    }

    [Fact]
    public void Files_that_are_not_segment_logs_are_ignored_when_listing_segments()
    {
        Directory.CreateDirectory(PartitionDir);
        foreach (var name in new[] { "00000000000000000000.log", "00000000000000000000.index", "notes.log", "-5.log", "7.log.tmp", ".clean-shutdown" })
            File.WriteAllBytes(Path.Combine(PartitionDir, name), []);

        Assert.Equal([0L], StorageLayout.FindSegments(DiskFileSystem.Instance, PartitionDir));
    }
}
