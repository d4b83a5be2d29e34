using static Golog.Storage.Tests.LogTestExtensions;

namespace Golog.Storage.Tests;

public class RetentionTests : TempDirectoryTest
{
    private static readonly DateTime Now = DateTime.UtcNow;

    private static LogConfig TenPerSegment(TimeSpan? maxAge = null, long? maxBytes = null) =>
        new() { SegmentMessages = 10, Retention = new RetentionPolicy(maxAge, maxBytes) };

    private void Age(long baseOffset, TimeSpan age) => File.SetLastWriteTimeUtc(LogFile(PartitionDir, baseOffset), Now - age);

    [Fact]
    public void Time_retention_deletes_the_closed_segments_older_than_the_limit_oldest_first()
    {
        using var log = OpenLog(PartitionDir, TenPerSegment(maxAge: TimeSpan.FromHours(1)));
        log.AppendUpTo(45);
        Age(0, TimeSpan.FromHours(3));
        Age(10, TimeSpan.FromHours(2));

        Assert.Equal(2, log.ApplyRetention(Now));

        Assert.Equal(20, log.LogStartOffset);
        Assert.Equal([20L, 30, 40], log.Segments.Select(s => s.BaseOffset));
        Assert.False(File.Exists(LogFile(PartitionDir, 10)));
        for (long offset = 0; offset < 20; offset++) Assert.Null(log.ReadRecord(offset));
        log.AssertReadsEveryOffset(20, 45);
    }

    [Fact]
    public void Time_retention_stops_at_the_first_segment_still_young_enough()
    {
        using var log = OpenLog(PartitionDir, TenPerSegment(maxAge: TimeSpan.FromHours(1)));
        log.AppendUpTo(35);
        Age(10, TimeSpan.FromHours(2)); // an old segment behind a young one is kept: the log has no holes

        Assert.Equal(0, log.ApplyRetention(Now));
        Assert.Equal(0, log.LogStartOffset);
    }

    [Fact]
    public void Size_retention_keeps_the_log_at_or_above_the_limit()
    {
        using var log = OpenLog(PartitionDir, TenPerSegment());
        log.AppendUpTo(55);
        long segmentBytes = log.Segments[1].Size; // segments 10 to 40 hold equally long values
        using var limited = Reopen(log, TenPerSegment(maxBytes: 2 * segmentBytes + 1));

        limited.ApplyRetention(Now);

        // 60 offsets' worth would be 6 segments; what is left is the smallest tail still holding the limit
        Assert.Equal(30, limited.LogStartOffset);
        Assert.True(limited.SizeInBytes >= 2 * segmentBytes + 1);
        Assert.True(limited.SizeInBytes - limited.Segments[0].Size < 2 * segmentBytes + 1);
        limited.AssertReadsEveryOffset(30, 55);
    }

    [Fact]
    public void The_active_segment_is_never_deleted_however_large()
    {
        using var log = OpenLog(PartitionDir, TenPerSegment(maxBytes: 1));
        log.AppendUpTo(25);

        Assert.Equal(2, log.ApplyRetention(Now));

        Assert.Equal([20L], log.Segments.Select(s => s.BaseOffset));
        log.AssertReadsEveryOffset(20, 25);
        Assert.Equal((25L, 25L), log.AppendDurably(ValueFor(25)));
    }

    [Fact]
    public void An_idle_active_segment_past_the_age_limit_is_rolled_and_deleted_and_offsets_carry_on()
    {
        using (var log = OpenLog(PartitionDir, TenPerSegment(maxAge: TimeSpan.FromHours(1))))
        {
            log.AppendUpTo(25);
            foreach (var baseOffset in new long[] { 0, 10, 20 }) Age(baseOffset, TimeSpan.FromHours(2));

            Assert.Equal(3, log.ApplyRetention(Now));

            Assert.Equal((25L, 25L, 25L), (log.LogStartOffset, log.HighWatermark, log.LogEndOffset));
            Assert.Equal([25L], log.Segments.Select(s => s.BaseOffset));
            Assert.Null(log.ReadRecord(24));
            Assert.Equal((25L, 25L), log.AppendDurably(ValueFor(25)));
            log.AssertReadsEveryOffset(25, 26);
        }

        using var reopened = OpenLog(PartitionDir, TenPerSegment());
        Assert.Equal((25L, 26L), (reopened.LogStartOffset, reopened.LogEndOffset));
    }

    [Fact]
    public void An_active_segment_with_unacknowledged_writes_is_not_rolled_for_retention()
    {
        using var log = OpenLog(PartitionDir, TenPerSegment(maxAge: TimeSpan.FromHours(1)));
        log.AppendUpTo(5);
        log.Append(Records(ValueFor(5)), Timestamp);
        log.WritePending(); // written, not yet synced or acknowledged
        Age(0, TimeSpan.FromHours(2));

        Assert.Equal(0, log.ApplyRetention(Now));
        Assert.Equal([0L], log.Segments.Select(s => s.BaseOffset));
        log.AssertReadsEveryOffset(0, 5);
    }

    [Fact]
    public void Without_limits_nothing_is_deleted()
    {
        using var log = OpenLog(PartitionDir, TenPerSegment());
        log.AppendUpTo(35);
        foreach (var baseOffset in new long[] { 0, 10, 20 }) Age(baseOffset, TimeSpan.FromDays(3650));

        Assert.Equal(0, log.ApplyRetention(Now));
        log.AssertReadsEveryOffset(0, 35);
    }

    [Fact]
    public void A_sync_queued_before_retention_deleted_its_segment_completes_without_error()
    {
        using var log = OpenLog(PartitionDir, TenPerSegment(maxBytes: 1));
        log.AppendUpTo(9);
        log.Append(Records(ValueFor(9)), Timestamp);
        var position = log.WritePending();
        var queuedSync = log.TakeUnsynced(); // what the sync thread holds while the partition moves on
        log.Acknowledge(position);
        log.AppendUpTo(15);                  // rolls: segment 0 is now closed

        Assert.Equal(1, log.ApplyRetention(Now));
        Assert.Equal(0, queuedSync.Segments.Single().BaseOffset);
        Assert.DoesNotContain(queuedSync.Segments[0], log.Segments);
        queuedSync.Run();
        log.AssertReadsEveryOffset(10, 15);
    }

    [Fact]
    public void After_retention_a_restart_starts_the_log_at_the_first_remaining_segment()
    {
        using (var log = OpenLog(PartitionDir, TenPerSegment(maxBytes: 1)))
        {
            log.AppendUpTo(35);
            log.ApplyRetention(Now);
        }

        using var reopened = OpenLog(PartitionDir, TenPerSegment());
        Assert.Equal(30, reopened.LogStartOffset);
        Assert.Equal(35, reopened.LogEndOffset);
        reopened.AssertReadsEveryOffset(30, 35);
    }

    private PartitionLog Reopen(PartitionLog log, LogConfig config)
    {
        log.Dispose();
        return OpenLog(PartitionDir, config);
    }
}
