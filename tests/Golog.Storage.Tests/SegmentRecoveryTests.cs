using static Golog.Storage.Tests.LogTestExtensions;

namespace Golog.Storage.Tests;

/// <summary>What survives a crash: the active segment is scanned on an unclean start and cut back to its last whole batch.</summary>
public class SegmentRecoveryTests : TempDirectoryTest
{
    private static readonly LogConfig TenPerSegment = new() { SegmentMessages = 10 };

    /// <summary>A log of <paramref name="end"/> single-record batches left as a kill would leave it (no Close).</summary>
    private void WriteAndCrash(LogConfig config, long end)
    {
        using var log = OpenLog(PartitionDir, config);
        log.AppendUpTo(end);
    }

    [Fact]
    public void A_tail_torn_at_any_byte_of_the_active_segment_recovers_to_the_last_whole_batch()
    {
        WriteAndCrash(TenPerSegment, 25);
        string active = LogFile(PartitionDir, 20);
        var original = File.ReadAllBytes(active);
        var batches = BatchesInFile(active);

        for (int cut = 0; cut <= original.Length; cut++)
        {
            File.WriteAllBytes(active, original[..cut]);
            long survivors = batches.Count(b => b.Position + b.Size <= cut);
            long expectedEnd = 20 + survivors;

            using var log = OpenLog(PartitionDir, TenPerSegment);

            Assert.Equal(expectedEnd, log.LogEndOffset);
            Assert.Equal(expectedEnd, log.HighWatermark);
            Assert.Equal(survivors, BatchesInFile(active).Count); // what is after them: cut, or only zeros
        }
    }

    [Fact]
    public void After_a_torn_tail_new_appends_continue_at_the_first_lost_offset_and_everything_reads_back()
    {
        WriteAndCrash(TenPerSegment, 25);
        string active = LogFile(PartitionDir, 20);
        var last = BatchesInFile(active)[^1];
        Truncate(active, last.Position + last.Size / 2);

        using (var log = OpenLog(PartitionDir, TenPerSegment))
        {
            Assert.Equal(24, log.LogEndOffset);
            Assert.Equal((24L, 24L), log.AppendDurably(ValueFor(24)));
            log.AppendUpTo(32);
            log.AssertReadsEveryOffset(0, 32);
        }

        using var reopened = OpenLog(PartitionDir, TenPerSegment);
        Assert.Equal(32, reopened.LogEndOffset);
        reopened.AssertReadsEveryOffset(0, 32);
    }

    [Fact]
    public void A_corrupt_byte_in_the_last_batch_truncates_the_log_to_the_batch_before_it()
    {
        WriteAndCrash(TenPerSegment, 25);
        string active = LogFile(PartitionDir, 20);
        var last = BatchesInFile(active)[^1];
        FlipByte(active, last.Position + last.Size - 2); // inside the value

        using var log = OpenLog(PartitionDir, TenPerSegment);

        Assert.Equal(24, log.LogEndOffset);
        Assert.Equal(last.Position, new FileInfo(active).Length);
        log.AssertReadsEveryOffset(0, 24);
        Assert.Equal((24L, 24L), log.AppendDurably("replacement"));
        Assert.Equal("replacement", log.ReadRecord(24)!.Value);
    }

    [Fact]
    public void A_corrupt_batch_in_the_middle_of_the_active_segment_drops_it_and_everything_after()
    {
        WriteAndCrash(TenPerSegment, 28);
        string active = LogFile(PartitionDir, 20);
        var damaged = BatchesInFile(active)[3]; // offset 23
        FlipByte(active, damaged.Position + RecordBatchLayout.HeaderSize + 2);

        using var log = OpenLog(PartitionDir, TenPerSegment);

        Assert.Equal(23, log.LogEndOffset);
        log.AssertReadsEveryOffset(0, 23);
        Assert.Null(log.ReadRecord(23));
    }

    [Fact]
    public void A_batch_with_an_out_of_sequence_offset_ends_the_recovered_log()
    {
        WriteAndCrash(TenPerSegment, 25);
        string active = LogFile(PartitionDir, 20);
        var batch = BatchesInFile(active)[2]; // offset 22; its base offset is not covered by the CRC
        using (var f = new FileStream(active, FileMode.Open, FileAccess.ReadWrite))
        {
            f.Position = batch.Position;
            var bytes = new byte[8];
            System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(bytes, 99);
            f.Write(bytes);
        }

        using var log = OpenLog(PartitionDir, TenPerSegment);

        Assert.Equal(22, log.LogEndOffset);
        log.AssertReadsEveryOffset(0, 22);
    }

    /// <summary>After Kafka's LogTest testCorruptLog: garbage after a random cut point, ten times, exact survivors.</summary>
    [Fact]
    public void Random_garbage_written_over_the_tail_at_a_random_point_leaves_exactly_the_whole_batches_before_it()
    {
        var random = new Random(20240611);
        var config = new LogConfig { SegmentBytes = 1000, IndexIntervalBytes = 1 };
        for (int round = 0; round < 10; round++)
        {
            string dir = Path.Combine(Root, $"round-{round}");
            using (var log = OpenLog(dir, config))
            {
                int batches = 50 + random.Next(50);
                for (int i = 0; i < batches; i++) log.AppendBatchDurably(1 + random.Next(3));
            }
            var activeBase = StorageLayout.FindSegments(DiskFileSystem.Instance, dir)[^1];
            string active = LogFile(dir, activeBase);
            var layout = BatchesInFile(active);
            long length = new FileInfo(active).Length;
            long cut = random.NextInt64(length + 1);
            var garbage = new byte[1 + random.Next(1024)];
            random.NextBytes(garbage);
            Truncate(active, cut);
            using (var f = new FileStream(active, FileMode.Append)) f.Write(garbage);

            var whole = layout.Where(b => b.Position + b.Size <= cut).ToList();
            long expectedEnd = whole.Count == 0 ? activeBase : whole[^1].NextOffset;

            using (var log = OpenLog(dir, config))
            {
                Assert.Equal(expectedEnd, log.LogEndOffset);
                Assert.Equal(whole.Sum(b => (long)b.Size), new FileInfo(active).Length);
                log.AssertReadsEveryOffset(0, expectedEnd);
                Assert.Equal((expectedEnd, expectedEnd), log.AppendDurably(ValueFor(expectedEnd)));
            }
        }
    }

    [Fact]
    public void After_a_clean_close_a_clean_start_has_the_same_end_offset_and_data()
    {
        var config = new LogConfig { SegmentMessages = 10, IndexIntervalBytes = 64 };
        using (var log = OpenLog(PartitionDir, config))
        {
            log.AppendUpTo(27);
            log.Close();
        }

        using (var log = OpenLog(PartitionDir, config, cleanShutdown: true))
        {
            Assert.Equal(27, log.LogEndOffset);
            log.AssertReadsEveryOffset(0, 27);
            log.AppendUpTo(45);
            log.AssertReadsEveryOffset(0, 45);
            log.Close();
        }

        using var again = OpenLog(PartitionDir, config, cleanShutdown: true);
        Assert.Equal(45, again.LogEndOffset);
        again.AssertReadsEveryOffset(0, 45);
    }

    [Fact]
    public void A_clean_close_writes_an_index_for_the_active_segment()
    {
        using var log = OpenLog(PartitionDir, new LogConfig { IndexIntervalBytes = 64 });
        log.AppendUpTo(20);
        log.Close();

        var bytes = File.ReadAllBytes(IndexFile(PartitionDir, 0));
        var index = OffsetIndex.TryParse(bytes, new FileInfo(LogFile(PartitionDir, 0)).Length);
        Assert.NotNull(index);
        Assert.True(index.Count > 1);
    }

    [Fact]
    public void A_clean_start_over_a_torn_tail_still_recovers_to_the_last_whole_batch()
    {
        var config = new LogConfig { IndexIntervalBytes = 64 };
        using (var log = OpenLog(PartitionDir, config))
        {
            log.AppendUpTo(20);
            log.Close();
        }
        string active = LogFile(PartitionDir, 0);
        var last = BatchesInFile(active)[^1];
        Truncate(active, last.Position + 5);

        using var reopened = OpenLog(PartitionDir, config, cleanShutdown: true);

        Assert.Equal(19, reopened.LogEndOffset);
        reopened.AssertReadsEveryOffset(0, 19);
    }

    [Fact]
    public void A_clean_start_with_garbage_after_the_last_batch_drops_the_garbage()
    {
        var config = new LogConfig { IndexIntervalBytes = 64 };
        using (var log = OpenLog(PartitionDir, config))
        {
            log.AppendUpTo(20);
            log.Close();
        }
        string active = LogFile(PartitionDir, 0);
        long length = new FileInfo(active).Length;
        using (var f = new FileStream(active, FileMode.Append)) f.Write(Enumerable.Repeat((byte)0xA5, 100).ToArray());

        using var reopened = OpenLog(PartitionDir, config, cleanShutdown: true);

        Assert.Equal(20, reopened.LogEndOffset);
        Assert.Equal(length, new FileInfo(active).Length);
        reopened.AssertReadsEveryOffset(0, 20);
    }

    [Fact]
    public void Only_the_active_segment_is_scanned_so_a_closed_segment_is_not_cut_at_startup()
    {
        WriteAndCrash(TenPerSegment, 25);
        string closed = LogFile(PartitionDir, 0);
        long length = new FileInfo(closed).Length;
        FlipByte(closed, BatchesInFile(closed)[5].Position + RecordBatchLayout.HeaderSize + 2);

        using var log = OpenLog(PartitionDir, TenPerSegment);

        Assert.Equal(25, log.LogEndOffset);
        Assert.Equal(length, new FileInfo(closed).Length);
    }
}
