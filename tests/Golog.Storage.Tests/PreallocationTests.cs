using static Golog.Storage.Tests.LogTestExtensions;

namespace Golog.Storage.Tests;

/// <summary>
/// Segment preallocation (segment.preallocate-bytes): zeros are written ahead of the active segment's last batch so
/// appends overwrite them; a roll and a clean close cut them off, and after a crash they are where the log ends.
/// </summary>
public class PreallocationTests : TempDirectoryTest
{
    private static readonly LogConfig Preallocating = new() { PreallocateBytes = 64 * 1024 };
    private static readonly LogConfig TenPerSegment = Preallocating with { SegmentMessages = 10 };

    private string ActiveFile => LogFile(PartitionDir, 0);

    [Fact]
    public void Appends_go_into_zeros_written_ahead_and_a_clean_close_cuts_the_zeros_off()
    {
        using (var log = OpenLog(PartitionDir, Preallocating))
        {
            log.AppendUpTo(20);
            long batches = BatchesEnd(ActiveFile);
            Assert.True(new FileInfo(ActiveFile).Length > batches, "no zeros were written ahead of the last batch");
            Assert.Equal(20, BatchesInFile(ActiveFile).Count); // and nothing but zeros after them
            log.Close();
        }

        Assert.Equal(BatchesEnd(ActiveFile), new FileInfo(ActiveFile).Length);
        using var reopened = OpenLog(PartitionDir, Preallocating, cleanShutdown: true);
        Assert.Equal(20, reopened.LogEndOffset);
        reopened.AssertReadsEveryOffset(0, 20);
    }

    [Fact]
    public void The_zeros_ahead_grow_with_the_segment_up_to_the_configured_step()
    {
        using var log = OpenLog(PartitionDir, Preallocating);
        log.AppendDurably(ValueFor(0));
        Assert.Equal(4096, new FileInfo(ActiveFile).Length); // a small partition preallocates one page, not a whole step

        while (BatchesEnd(ActiveFile) < 200 * 1024) log.AppendBatchDurably(100);
        long ahead = new FileInfo(ActiveFile).Length - BatchesEnd(ActiveFile);
        Assert.InRange(ahead, 1, Preallocating.PreallocateBytes + 4096);
    }

    [Fact]
    public void With_preallocation_off_the_file_holds_exactly_its_batches()
    {
        using var log = OpenLog(PartitionDir, new LogConfig { PreallocateBytes = 0 });
        log.AppendUpTo(20);
        Assert.Equal(BatchesEnd(ActiveFile), new FileInfo(ActiveFile).Length);
    }

    [Fact]
    public void A_roll_cuts_the_zeros_so_every_closed_segment_ends_with_its_last_batch()
    {
        using var log = OpenLog(PartitionDir, TenPerSegment);
        log.AppendUpTo(35);

        Assert.Equal([0L, 10, 20, 30], log.Segments.Select(s => s.BaseOffset));
        foreach (var closed in log.Segments.SkipLast(1))
            Assert.Equal(BatchesEnd(closed.LogPath), new FileInfo(closed.LogPath).Length);
        Assert.True(new FileInfo(LogFile(PartitionDir, 30)).Length > BatchesEnd(LogFile(PartitionDir, 30)));
    }

    /// <summary>
    /// kill -9 after each acknowledged append: the page cache holds everything written, zeros after the last batch.
    /// Each such image recovers to exactly what was acknowledged, keeps its zeros (no cut, so no fsync at the open) and
    /// takes new appends over them.
    /// </summary>
    [Fact]
    public void After_a_kill_at_any_acknowledged_append_the_zeros_end_the_log_and_new_appends_overwrite_them()
    {
        var images = new List<byte[]>();
        using (var log = OpenLog(PartitionDir, Preallocating))
            for (long offset = 0; offset < 30; offset++)
            {
                log.AppendDurably(ValueFor(offset));
                images.Add(File.ReadAllBytes(ActiveFile));
            }

        for (int acknowledged = 1; acknowledged <= images.Count; acknowledged++)
        {
            File.WriteAllBytes(ActiveFile, images[acknowledged - 1]);
            using var log = OpenLog(PartitionDir, Preallocating);

            Assert.Equal(acknowledged, log.LogEndOffset);
            Assert.Equal(images[acknowledged - 1].Length, new FileInfo(ActiveFile).Length);
            log.AppendUpTo(acknowledged + 3);
            log.AssertReadsEveryOffset(0, acknowledged + 3);
        }
    }

    /// <summary>
    /// A write that did not reach the disk whole leaves zeros where the rest of it should be (the blocks were written
    /// ahead): wherever the write stops, the log ends at the last whole batch before it, later appends go on from
    /// there, and a restart after them reads everything back.
    /// </summary>
    [Fact]
    public void A_write_torn_at_any_byte_inside_the_zeros_recovers_to_the_last_whole_batch()
    {
        using (var log = OpenLog(PartitionDir, Preallocating)) log.AppendUpTo(6);
        var original = File.ReadAllBytes(ActiveFile);
        var batches = BatchesInFile(ActiveFile);
        long end = BatchesEnd(ActiveFile);

        for (long tear = batches[^3].Position; tear < end; tear++)
        {
            var torn = (byte[])original.Clone();
            Array.Clear(torn, (int)tear, (int)(end - tear));
            File.WriteAllBytes(ActiveFile, torn);
            // a batch ending in zeros (a record's empty header count) stays whole when only those are lost
            long whole = batches.TakeWhile(b => torn.AsSpan((int)b.Position, b.Size).SequenceEqual(original.AsSpan((int)b.Position, b.Size))).Count();
            if (whole == batches.Count) continue; // only zeros were lost: nothing was torn

            using (var log = OpenLog(PartitionDir, Preallocating))
            {
                Assert.Equal(whole, log.LogEndOffset);
                log.AppendUpTo(8);
            }
            using var reopened = OpenLog(PartitionDir, Preallocating);
            Assert.Equal(8, reopened.LogEndOffset);
            reopened.AssertReadsEveryOffset(0, 8);
        }
    }

    [Fact]
    public void Bytes_that_are_not_zeros_after_the_last_batch_are_cut_off_at_recovery()
    {
        using (var log = OpenLog(PartitionDir, Preallocating)) log.AppendUpTo(5);
        long end = BatchesEnd(ActiveFile);
        using (var f = new FileStream(ActiveFile, FileMode.Open) { Position = end }) f.Write([0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 1, 0, 7]);

        using var log2 = OpenLog(PartitionDir, Preallocating);
        Assert.Equal(5, log2.LogEndOffset);
        Assert.Equal(end, new FileInfo(ActiveFile).Length);
        log2.AppendUpTo(7);
        log2.AssertReadsEveryOffset(0, 7);
    }

    /// <summary>
    /// A segment rolled just before a crash, whose seal never ran: the restart checks it and cuts it again, which must
    /// not make it look written now, or time retention would keep it another retention period.
    /// </summary>
    [Fact]
    public void A_restart_that_seals_a_rolled_segment_keeps_its_age_for_time_retention()
    {
        var config = TenPerSegment with { Retention = new RetentionPolicy(TimeSpan.FromHours(1), null) };
        using (var log = OpenLog(PartitionDir, config)) log.AppendUpTo(15);
        File.Delete(Path.ChangeExtension(LogFile(PartitionDir, 0), StorageLayout.IndexSuffix)); // the seal had not run
        var written = DateTime.UtcNow - TimeSpan.FromHours(2);
        File.SetLastWriteTimeUtc(LogFile(PartitionDir, 0), written);

        using var reopened = OpenLog(PartitionDir, config);

        Assert.Equal(15, reopened.LogEndOffset);
        Assert.Equal(written, File.GetLastWriteTimeUtc(LogFile(PartitionDir, 0)), TimeSpan.FromSeconds(1));
        Assert.Equal(1, reopened.ApplyRetention(DateTime.UtcNow));
        Assert.Equal(10, reopened.LogStartOffset);
    }

    [Fact]
    public void A_crash_restart_that_rolls_keeps_no_zeros_in_the_closed_segment()
    {
        using (var log = OpenLog(PartitionDir, TenPerSegment)) log.AppendUpTo(5);

        using (var log = OpenLog(PartitionDir, TenPerSegment)) log.AppendUpTo(15);

        Assert.Equal(BatchesEnd(ActiveFile), new FileInfo(ActiveFile).Length);
        using var reopened = OpenLog(PartitionDir, TenPerSegment);
        Assert.Equal(15, reopened.LogEndOffset);
        reopened.AssertReadsEveryOffset(0, 15);
    }
}
