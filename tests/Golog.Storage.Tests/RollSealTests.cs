using static Golog.Storage.Tests.LogTestExtensions;

namespace Golog.Storage.Tests;

/// <summary>
/// A roll is cheap for the caller: the old segment's fsync, its index file and the directory fsync run in the next
/// <see cref="SyncJob"/>. Recovery relies on the order inside it: an .index file exists only for a segment whose log
/// was fsync'd, so a closed segment without one is CRC-scanned at open, and cut (with every later segment) if a
/// crash tore its tail.
/// </summary>
public class RollSealTests : TempDirectoryTest
{
    private static readonly LogConfig TenPerSegment = new() { SegmentMessages = 10 };

    /// <summary>Offsets 0..9 acknowledged in segment 0; then 10..14 appended, which rolls, and written, with no sync job run: a kill now.</summary>
    private void AcknowledgeTenThenRollAndCrash()
    {
        using var log = OpenLog(PartitionDir, TenPerSegment);
        log.AppendUpTo(10);
        for (long offset = 10; offset < 15; offset++) log.Append(Records(ValueFor(offset)), Timestamp);
        log.WritePending();
        Assert.True(log.SealsDue);
    }

    [Fact]
    public void A_roll_leaves_the_seal_to_the_sync_job_which_writes_the_index_of_the_old_segment()
    {
        using var log = OpenLog(PartitionDir, TenPerSegment);
        log.AppendUpTo(10);

        log.Append(Records(ValueFor(10)), Timestamp); // rolls
        var position = log.WritePending();

        Assert.Equal([0L, 10], log.Segments.Select(s => s.BaseOffset));
        Assert.True(log.SealsDue);
        Assert.False(File.Exists(IndexFile(PartitionDir, 0)), "the caller's thread wrote the index: the roll was not cheap");
        var job = log.TakeUnsynced();
        Assert.False(log.SealsDue);
        Assert.Equal([0L, 10], job.Segments.Select(s => s.BaseOffset));

        job.Run();

        Assert.True(File.Exists(IndexFile(PartitionDir, 0)));
        log.Acknowledge(position);
        log.AssertReadsEveryOffset(0, 11);
    }

    [Fact]
    public void A_closed_segment_whose_seal_never_ran_but_lost_nothing_is_scanned_sealed_and_kept_whole()
    {
        AcknowledgeTenThenRollAndCrash();
        Assert.False(File.Exists(IndexFile(PartitionDir, 0)));

        using var log = OpenLog(PartitionDir, TenPerSegment);

        Assert.Equal(15, log.LogEndOffset);
        Assert.True(File.Exists(IndexFile(PartitionDir, 0)), "a scanned whole segment is sealed at open");
        log.AssertReadsEveryOffset(0, 15);
    }

    // TornIntoZeros*: a write torn inside preallocated zeros (or one that failed part way): the batch's first bytes,
    // then zeros to the end of a file that is as long as before, and longer
    public enum LostTail { CutInsideABatch, CutAtABatchBoundary, ZeroFilled, TornIntoZerosInsideTheHeader, TornIntoZerosInsideTheRecords }

    [Theory]
    [InlineData(LostTail.CutInsideABatch)]
    [InlineData(LostTail.CutAtABatchBoundary)]
    [InlineData(LostTail.ZeroFilled)]
    [InlineData(LostTail.TornIntoZerosInsideTheHeader)]
    [InlineData(LostTail.TornIntoZerosInsideTheRecords)]
    public void A_closed_segment_whose_seal_never_ran_and_whose_tail_was_lost_ends_the_log_there(LostTail lost)
    {
        AcknowledgeTenThenRollAndCrash();
        // the machine died before the old segment's fsync: the page cache lost its last batches (never acknowledged:
        // acks after a roll wait for the sync job that seals it)
        string closed = LogFile(PartitionDir, 0);
        var batches = BatchesInFile(closed);
        var fromBatch8 = batches[8];
        switch (lost)
        {
            case LostTail.CutInsideABatch: Truncate(closed, fromBatch8.Position + 20); break;
            case LostTail.CutAtABatchBoundary: Truncate(closed, fromBatch8.Position); break;
            case LostTail.ZeroFilled: ZerosFrom(closed, fromBatch8.Position, 0); break;
            case LostTail.TornIntoZerosInsideTheHeader: ZerosFrom(closed, fromBatch8.Position + 20, 4096); break;
            case LostTail.TornIntoZerosInsideTheRecords: ZerosFrom(closed, fromBatch8.Position + fromBatch8.Size - 4, 4096); break;
        }

        using var log = OpenLog(PartitionDir, TenPerSegment);

        Assert.Equal(8, log.LogEndOffset);
        Assert.Equal([0L], log.Segments.Select(s => s.BaseOffset));
        Assert.False(File.Exists(LogFile(PartitionDir, 10)), "records after a lost tail would leave a hole in the offsets");
        log.AssertReadsEveryOffset(0, 8);
        Assert.Equal((8L, 8L), log.AppendDurably(ValueFor(8)));
    }

    /// <summary>Zeros from <paramref name="position"/> to the end of the file, and <paramref name="more"/> after it.</summary>
    private static void ZerosFrom(string path, long position, int more)
    {
        using var f = new FileStream(path, FileMode.Open, FileAccess.Write);
        f.Position = position;
        f.Write(new byte[f.Length - position + more]);
    }

    [Fact]
    public void Whatever_byte_a_crash_before_the_seal_cuts_the_closed_segment_at_acknowledged_records_survive()
    {
        using (var log = OpenLog(PartitionDir, TenPerSegment))
        {
            log.AppendUpTo(8);                                                                     // acknowledged: synced
            for (long offset = 8; offset < 13; offset++) log.Append(Records(ValueFor(offset)), Timestamp); // rolls at 10
            log.WritePending();                                                                    // no sync job: a kill
        }
        string closed = LogFile(PartitionDir, 0), next = LogFile(PartitionDir, 10);
        var original = File.ReadAllBytes(closed);
        var nextBytes = File.ReadAllBytes(next);
        var batches = BatchesInFile(closed);

        for (long length = batches[8].Position; length <= original.Length; length++)
        {
            File.WriteAllBytes(closed, original[..(int)length]);
            File.WriteAllBytes(next, nextBytes);

            using var log = OpenLog(PartitionDir, TenPerSegment);

            long expectedEnd = length == original.Length ? 13 : batches.Count(b => b.Position + b.Size <= length);
            Assert.Equal(expectedEnd, log.LogEndOffset);
            log.AssertReadsEveryOffset(0, expectedEnd);
            log.Dispose();
            File.Delete(IndexFile(PartitionDir, 0)); // the next round starts unsealed again
        }
    }
}
