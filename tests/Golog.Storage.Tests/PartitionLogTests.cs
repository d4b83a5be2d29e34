using static Golog.Storage.Tests.LogTestExtensions;

namespace Golog.Storage.Tests;

public class PartitionLogTests : TempDirectoryTest
{
    private static readonly LogConfig TenPerSegment = new() { SegmentMessages = 10 };

    [Fact]
    public void A_new_log_is_empty_and_starts_at_offset_zero()
    {
        using var log = OpenLog(PartitionDir, new LogConfig());

        Assert.Equal(0, log.LogStartOffset);
        Assert.Equal(0, log.LogEndOffset);
        Assert.Equal(0, log.HighWatermark);
        Assert.Null(log.ReadRecord(0));
        Assert.True(File.Exists(LogFile(PartitionDir, 0)));
    }

    [Fact]
    public void Appends_get_consecutive_offsets_and_a_batch_gets_one_per_record()
    {
        using var log = OpenLog(PartitionDir, new LogConfig());

        Assert.Equal((0L, 0L), log.AppendDurably("a"));
        Assert.Equal((1L, 3L), log.AppendDurably("b", "c", "d"));
        Assert.Equal((4L, 4L), log.AppendDurably("e"));
        Assert.Equal(5, log.LogEndOffset);
        Assert.Equal("c", log.ReadRecord(2)!.Value);
    }

    [Fact]
    public void Appended_data_is_invisible_to_readers_until_written_synced_and_committed()
    {
        using var log = OpenLog(PartitionDir, new LogConfig());

        log.Append(Records("a"), Timestamp);
        Assert.Equal(1, log.LogEndOffset);
        Assert.Equal(0, log.HighWatermark);
        Assert.Null(log.ReadRecord(0));

        var position = log.WritePending();
        Assert.Null(log.ReadRecord(0)); // on disk but not yet acknowledged

        log.TakeUnsynced().Run();
        log.Acknowledge(position);
        Assert.Equal(1, log.HighWatermark);
        Assert.Equal("a", log.ReadRecord(0)!.Value);
    }

    [Fact]
    public void A_read_never_returns_records_past_the_high_watermark()
    {
        using var log = OpenLog(PartitionDir, new LogConfig());
        log.AppendUpTo(5);
        log.Append(Records("unacked-5", "unacked-6"), Timestamp);
        log.WritePending();

        var records = Decode(log.Read(0, 1024 * 1024).Bytes);

        Assert.Equal([0L, 1, 2, 3, 4], records.Select(r => r.Offset));
        Assert.Null(log.ReadRecord(5));
    }

    [Fact]
    public void Reads_at_or_past_the_end_are_empty()
    {
        using var log = OpenLog(PartitionDir, new LogConfig());
        log.AppendUpTo(3);

        Assert.Equal(0, log.Read(3, 1000).Length);
        Assert.Equal(0, log.Read(1000, 1000).Length);
    }

    [Fact]
    public void With_ten_messages_per_segment_each_segment_file_is_named_by_its_zero_padded_base_offset()
    {
        using var log = OpenLog(PartitionDir, TenPerSegment);
        log.AppendUpTo(35);

        Assert.Equal([0L, 10, 20, 30], log.Segments.Select(s => s.BaseOffset));
        var logFiles = Directory.GetFiles(PartitionDir, "*.log").Select(Path.GetFileName).Order();
        Assert.Equal(
            ["00000000000000000000.log", "00000000000000000010.log", "00000000000000000020.log", "00000000000000000030.log"],
            logFiles);
    }

    [Fact]
    public void Reads_at_every_offset_across_segments_return_that_record_including_segment_boundaries()
    {
        using var log = OpenLog(PartitionDir, TenPerSegment);
        log.AppendUpTo(35);

        log.AssertReadsEveryOffset(0, 35);
        foreach (long boundary in new long[] { 9, 10, 19, 20, 29, 30 })
            Assert.Equal(ValueFor(boundary), log.ReadRecord(boundary)!.Value);
    }

    [Fact]
    public void A_segment_is_rolled_only_between_batches_so_a_batch_never_spans_two_files()
    {
        using var log = OpenLog(PartitionDir, TenPerSegment);
        for (int i = 0; i < 9; i++) log.AppendBatchDurably(3);

        // 4 batches of 3 reach 12 >= 10 messages, then the next batch starts a new segment
        Assert.Equal([0L, 12, 24], log.Segments.Select(s => s.BaseOffset));
        log.AssertReadsEveryOffset(0, 27);
        foreach (var segment in log.Segments)
            Assert.Equal(segment.BaseOffset, BatchesInFile(segment.LogPath)[0].BaseOffset);
    }

    [Fact]
    public void With_a_small_segment_size_segments_stay_under_it_and_every_offset_reads_back()
    {
        var config = new LogConfig { SegmentBytes = 400 };
        using var log = OpenLog(PartitionDir, config);
        log.AppendUpTo(60);

        Assert.True(log.Segments.Count > 5, $"only {log.Segments.Count} segments");
        Assert.All(log.Segments, s => Assert.True(s.Size <= 400, $"{s.LogPath} holds {s.Size} bytes"));
        for (int i = 1; i < log.Segments.Count; i++)
            Assert.Equal(log.Segments[i].BaseOffset, log.Segments[i - 1].NextOffset);
        log.AssertReadsEveryOffset(0, 60);
    }

    [Fact]
    public void A_batch_bigger_than_the_segment_size_still_gets_a_segment_of_its_own()
    {
        using var log = OpenLog(PartitionDir, new LogConfig { SegmentBytes = 200 });
        log.AppendDurably("small");
        log.AppendDurably(new string('x', 1000));
        log.AppendDurably("after");

        Assert.Equal([0L, 1, 2], log.Segments.Select(s => s.BaseOffset));
        Assert.Equal(1000, log.ReadRecord(1)!.Value.Length);
        Assert.Equal("after", log.ReadRecord(2)!.Value);
    }

    [Fact]
    public void With_a_zero_segment_age_every_batch_starts_a_new_segment()
    {
        using var log = OpenLog(PartitionDir, new LogConfig { SegmentAge = TimeSpan.Zero });
        log.AppendUpTo(3);

        Assert.Equal([0L, 1, 2], log.Segments.Select(s => s.BaseOffset));
    }

    [Fact]
    public void A_read_returns_at_least_one_whole_batch_even_when_it_exceeds_max_bytes()
    {
        using var log = OpenLog(PartitionDir, new LogConfig());
        log.AppendDurably(new string('x', 5000), "second");

        var result = log.Read(1, maxBytes: 1);

        var records = Decode(result.Bytes);
        Assert.Equal([0L, 1], records.Select(r => r.Offset));
        Assert.Equal("second", records[1].Value);
        Assert.Equal(BatchStatus.Ok, RecordBatchReader.Validate(result.Bytes, int.MaxValue, out var info));
        Assert.Equal(result.Length, info.Size);
    }

    [Fact]
    public void A_read_returns_many_batches_up_to_max_bytes_but_never_crosses_a_segment()
    {
        using var log = OpenLog(PartitionDir, TenPerSegment);
        log.AppendUpTo(25);

        var fromStart = Decode(log.Read(3, 1024 * 1024).Bytes);
        Assert.Equal(Enumerable.Range(3, 7).Select(i => (long)i), fromStart.Select(r => r.Offset));

        int oneBatch = log.Read(10, 1).Length;
        var limited = Decode(log.Read(10, oneBatch * 3).Bytes);
        Assert.Equal([10L, 11, 12], limited.Select(r => r.Offset));
    }

    [Fact]
    public void A_read_cut_by_max_bytes_ends_with_a_partial_batch_that_the_consumer_fetches_again()
    {
        using var log = OpenLog(PartitionDir, new LogConfig());
        log.AppendUpTo(5);
        int oneBatch = log.Read(0, 1).Length;

        var result = log.Read(0, 2 * oneBatch + 5);

        Assert.Equal(2 * oneBatch + 5, result.Length);
        Assert.Equal([0L, 1], Decode(result.Bytes).Select(r => r.Offset));
        Assert.Equal(ValueFor(2), log.ReadRecord(2)!.Value);
    }

    [Fact]
    public void A_batch_over_the_maximum_batch_size_is_refused_and_leaves_the_log_unchanged()
    {
        using var log = OpenLog(PartitionDir, new LogConfig { MaxBatchBytes = 1000 });
        log.AppendDurably("ok");

        Assert.Throws<ArgumentException>(() => log.Append(Records(new string('x', 2000)), Timestamp));

        Assert.Equal(1, log.LogEndOffset);
        Assert.Equal((1L, 1L), log.AppendDurably("next"));
        log.Dispose();
        using var reopened = OpenLog(PartitionDir, new LogConfig { MaxBatchBytes = 1000 });
        Assert.Equal(2, reopened.LogEndOffset);
    }

    [Fact]
    public void An_empty_batch_is_refused_rather_than_stored()
    {
        using var log = OpenLog(PartitionDir, new LogConfig());
        log.AppendDurably("before");

        Assert.Throws<ArgumentException>(() => log.Append(Records(), Timestamp));
        log.AppendDurably("after");
        log.Dispose();

        // a stored zero-record batch would fail validation on restart and take every later batch with it
        using var reopened = OpenLog(PartitionDir, new LogConfig());
        Assert.Equal(2, reopened.LogEndOffset);
        Assert.Equal("after", reopened.ReadRecord(1)!.Value);
    }

    [Fact]
    public void Data_committed_before_a_crash_is_all_there_after_reopening()
    {
        var log = OpenLog(PartitionDir, TenPerSegment);
        log.AppendUpTo(27);
        log.Dispose(); // no Close: as after a kill

        using var reopened = OpenLog(PartitionDir, TenPerSegment);
        Assert.Equal(27, reopened.LogEndOffset);
        Assert.Equal(27, reopened.HighWatermark);
        reopened.AssertReadsEveryOffset(0, 27);
        Assert.Equal((27L, 27L), reopened.AppendDurably(ValueFor(27)));
    }

    [Fact]
    public void Truncating_to_the_high_watermark_discards_written_but_uncommitted_data_and_reuses_its_offsets()
    {
        using (var log = OpenLog(PartitionDir, new LogConfig()))
        {
            log.AppendUpTo(5);
            log.Append(Records("lost-5", "lost-6", "lost-7"), Timestamp);
            log.WritePending(); // written, never synced nor acknowledged

            log.TruncateTo(log.HighWatermark);

            Assert.Equal(5, log.LogEndOffset);
            Assert.Equal((5L, 5L), log.AppendDurably(ValueFor(5)));
            Assert.Equal(ValueFor(5), log.ReadRecord(5)!.Value);
            Assert.Equal([5L], Decode(log.Read(5, 1024 * 1024).Bytes).Select(r => r.Offset));
        }

        using var reopened = OpenLog(PartitionDir, new LogConfig());
        Assert.Equal(6, reopened.LogEndOffset);
        reopened.AssertReadsEveryOffset(0, 6);
    }

    [Fact]
    public void Truncating_to_the_high_watermark_discards_pending_appends_that_were_never_written()
    {
        using var log = OpenLog(PartitionDir, new LogConfig());
        log.AppendUpTo(2);
        log.Append(Records("never-written"), Timestamp);

        log.TruncateTo(log.HighWatermark);

        Assert.Equal(2, log.LogEndOffset);
        log.AppendDurably(ValueFor(2));
        log.AssertReadsEveryOffset(0, 3);
    }

    [Fact]
    public void Truncating_to_the_high_watermark_removes_segments_rolled_since_and_rolls_again_later()
    {
        using (var log = OpenLog(PartitionDir, TenPerSegment))
        {
            log.AppendUpTo(8);
            for (int i = 8; i < 15; i++) log.Append(Records($"lost-{i}"), Timestamp); // rolls at 10
            log.WritePending();
            Assert.Equal(2, log.Segments.Count);

            log.TruncateTo(log.HighWatermark);

            Assert.Equal(8, log.LogEndOffset);
            Assert.Single(log.Segments);
            Assert.False(File.Exists(LogFile(PartitionDir, 10)));

            log.AppendUpTo(15);
            Assert.Equal([0L, 10], log.Segments.Select(s => s.BaseOffset));
            log.AssertReadsEveryOffset(0, 15);
        }

        using var reopened = OpenLog(PartitionDir, TenPerSegment);
        Assert.Equal(15, reopened.LogEndOffset);
        reopened.AssertReadsEveryOffset(0, 15);
    }

    [Fact]
    public void Deleting_old_segments_never_deletes_the_active_one_and_moves_the_log_start_forward()
    {
        using var log = OpenLog(PartitionDir, TenPerSegment);
        log.AppendUpTo(35);

        int deleted = log.DeleteOldSegments((_, _) => true);

        Assert.Equal(3, deleted);
        Assert.Equal(30, log.LogStartOffset);
        Assert.Equal([30L], log.Segments.Select(s => s.BaseOffset));
        Assert.False(File.Exists(LogFile(PartitionDir, 0)));
        Assert.False(File.Exists(IndexFile(PartitionDir, 0)));
        Assert.True(File.Exists(LogFile(PartitionDir, 30)));
        Assert.Equal(0, log.DeleteOldSegments((_, _) => true));
    }

    [Fact]
    public void Reading_below_the_log_start_offset_returns_nothing_and_later_offsets_still_read()
    {
        using var log = OpenLog(PartitionDir, TenPerSegment);
        log.AppendUpTo(35);
        log.DeleteOldSegments((segment, _) => segment.BaseOffset < 20);

        Assert.Equal(20, log.LogStartOffset);
        for (long offset = 0; offset < 20; offset++) Assert.Null(log.ReadRecord(offset));
        log.AssertReadsEveryOffset(20, 35);
    }

    [Fact]
    public void Size_based_retention_sees_the_remaining_size_and_stops_when_it_is_small_enough()
    {
        using var log = OpenLog(PartitionDir, TenPerSegment);
        log.AppendUpTo(50);
        long lastTwo = log.Segments[^1].Size + log.Segments[^2].Size;

        log.DeleteOldSegments((_, remaining) => remaining > lastTwo);

        Assert.Equal(30, log.LogStartOffset);
        Assert.Equal(lastTwo, log.SizeInBytes);
    }

    [Fact]
    public void The_log_start_offset_survives_a_restart_after_retention()
    {
        using (var log = OpenLog(PartitionDir, TenPerSegment))
        {
            log.AppendUpTo(35);
            log.DeleteOldSegments((segment, _) => segment.BaseOffset < 20);
        }

        using var reopened = OpenLog(PartitionDir, TenPerSegment);
        Assert.Equal(20, reopened.LogStartOffset);
        Assert.Equal(35, reopened.LogEndOffset);
        reopened.AssertReadsEveryOffset(20, 35);
    }
}
