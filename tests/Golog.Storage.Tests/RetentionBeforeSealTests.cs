using static Golog.Storage.Tests.LogTestExtensions;

namespace Golog.Storage.Tests;

/// <summary>Retention and seals: a segment deleted while its seal is due or in flight leaves no index file behind.</summary>
public class RetentionBeforeSealTests : TempDirectoryTest
{
    [Fact]
    public void A_segment_deleted_while_its_seal_was_on_its_way_leaves_no_orphan_index()
    {
        using var log = OpenLog(PartitionDir, new LogConfig { SegmentMessages = 10, Retention = new RetentionPolicy(null, 1) });
        for (long offset = 0; offset < 12; offset++) log.Append(Records(ValueFor(offset)), Timestamp); // rolls at 10
        var position = log.WritePending();
        var inFlight = log.TakeUnsynced(); // seals segment 0, on its way to a sync thread
        log.MarkFlushed(position);
        log.AdvanceHighWatermark(position.NextOffset);

        Assert.Equal(1, log.ApplyRetention(DateTime.UtcNow));
        inFlight.Run();

        Assert.False(File.Exists(IndexFile(PartitionDir, 0)));
        Assert.False(File.Exists(LogFile(PartitionDir, 0)));
        log.AssertReadsEveryOffset(10, 12);
    }

    [Fact]
    public void An_idle_segment_rolled_by_retention_is_deleted_without_waiting_for_its_seal()
    {
        using var log = OpenLog(PartitionDir, new LogConfig { Retention = new RetentionPolicy(TimeSpan.FromHours(1), null) });
        log.AppendUpTo(5);
        File.SetLastWriteTimeUtc(LogFile(PartitionDir, 0), DateTime.UtcNow - TimeSpan.FromHours(2));

        Assert.Equal(1, log.ApplyRetention(DateTime.UtcNow));

        Assert.False(log.SealsDue);
        Assert.Equal([5L], log.Segments.Select(s => s.BaseOffset));
        Assert.Empty(Directory.GetFiles(PartitionDir, "*.index"));
        Assert.Equal((5L, 5L), log.AppendDurably(ValueFor(5)));
    }
}
