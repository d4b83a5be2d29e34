using System.Buffers.Binary;
using static Golog.Storage.Tests.LogTestExtensions;
using L = Golog.Storage.RecordBatchLayout;
using Outcome = Golog.Storage.ProducerAppendOutcome;

namespace Golog.Storage.Tests;

/// <summary>
/// The replication side of <see cref="PartitionLog"/>: a leader serves written but unacknowledged batches with
/// <see cref="PartitionLog.ReadForReplica"/>, a follower stores them as they are with
/// <see cref="PartitionLog.AppendReplicated"/>, answers OffsetsForLeaderEpoch with <see cref="PartitionLog.EpochEnd"/>
/// and drops a divergent tail with <see cref="PartitionLog.TruncateDivergentTail"/>.
/// </summary>
public class ReplicaLogTests : TempDirectoryTest
{
    private const int AllBytes = 1 << 20;
    private const long Pid = 900;
    private static readonly LogConfig Config = new();
    // a few batches per segment, so that replication crosses segment boundaries
    private static readonly LogConfig SmallSegments = new() { SegmentBytes = 300, IndexIntervalBytes = 64 };

    private string LeaderDir => Path.Combine(Root, "leader", "orders-0");
    private string FollowerDir => Path.Combine(Root, "follower", "orders-0");

    private static long Now => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    /// <summary>Appends one batch of <paramref name="count"/> records holding <see cref="ValueFor"/> their offsets, stamped with <paramref name="epoch"/>; nothing written.</summary>
    private static void AppendBatch(PartitionLog log, int count, int epoch)
    {
        long start = log.LogEndOffset;
        log.Append(Records(Enumerable.Range(0, count).Select(i => ValueFor(start + i)).ToArray()), Timestamp, epoch);
    }

    /// <summary>
    /// The leader of the brief: batches 0-1 and 2 in epoch 0, 3-5 and 6-7 in epoch 3, written to the file
    /// (<see cref="PartitionLog.WritePending"/>) but neither flushed nor acknowledged.
    /// </summary>
    private static PartitionLog WrittenLeader(string dir, LogConfig? config = null)
    {
        var leader = OpenLog(dir, config ?? Config);
        AppendBatch(leader, 2, epoch: 0);
        AppendBatch(leader, 1, epoch: 0);
        AppendBatch(leader, 3, epoch: 3);
        AppendBatch(leader, 2, epoch: 3);
        leader.WritePending();
        return leader;
    }

    private static readonly EpochEntry[] LeaderEpochsOfWrittenLeader = [new(0, 0), new(3, 3)];

    /// <summary>(base offset, last offset, partition leader epoch) of every whole batch in <paramref name="bytes"/>.</summary>
    private static List<(long Base, long Last, int Epoch)> BatchesIn(ReadOnlySpan<byte> bytes)
    {
        var batches = new List<(long, long, int)>();
        int pos = 0;
        while (pos < bytes.Length && RecordBatchReader.Validate(bytes[pos..], int.MaxValue, out var info) == BatchStatus.Ok)
        {
            batches.Add((info.BaseOffset, info.LastOffset, BinaryPrimitives.ReadInt32BigEndian(bytes[(pos + L.PartitionLeaderEpoch)..])));
            pos += info.Size;
        }
        return batches;
    }

    /// <summary>What a follower's fetch loop does: fetch from its log end and append what came, until it has all the leader wrote.</summary>
    private static void CatchUp(PartitionLog follower, PartitionLog leader, int maxBytes = AllBytes)
    {
        for (int fetches = 0; ; fetches++)
        {
            Assert.True(fetches < 1000, "the follower does not catch up");
            var fetched = leader.ReadForReplica(follower.LogEndOffset, maxBytes);
            if (fetched.Length == 0) return;
            follower.AppendReplicated(fetched.Bytes);
        }
    }

    /// <summary>Every byte the log serves to consumers from <paramref name="from"/> on, read segment by segment.</summary>
    private static byte[] AllReadable(PartitionLog log, long from = 0)
    {
        var bytes = new List<byte>();
        long offset = from;
        while (true)
        {
            var read = log.Read(offset, AllBytes);
            if (read.Length == 0) return [.. bytes];
            bytes.AddRange(read.Bytes.ToArray());
            offset = BatchesIn(read.Bytes)[^1].Last + 1;
        }
    }

    private static PartitionLog Reopen(PartitionLog log, bool clean)
    {
        if (clean) log.Close(); else log.Dispose(); // no Close: as a kill leaves it
        return OpenLog(log.Directory, log.Config);
    }

    // ---- ReadForReplica ----

    [Fact]
    public void ReadForReplica_serves_written_batches_above_the_high_watermark_that_Read_does_not()
    {
        using var leader = WrittenLeader(LeaderDir);
        Assert.Equal((8L, 0L, 0L), (leader.LogEndOffset, leader.FlushedOffset, leader.HighWatermark));

        Assert.Equal(0, leader.Read(0, AllBytes).Length); // nothing acknowledged: consumers see nothing
        var replica = leader.ReadForReplica(0, AllBytes);

        Assert.Equal(Enumerable.Range(0, 8).Select(o => ValueFor(o)), Decode(replica.Bytes).Select(r => r.Value));
        Assert.Equal(Enumerable.Range(0, 8).Select(o => (long)o), Decode(replica.Bytes).Select(r => r.Offset));
        Assert.Equal([(0L, 1L, 0), (2L, 2L, 0), (3L, 5L, 3), (6L, 7L, 3)], BatchesIn(replica.Bytes));
        // from inside a batch: from that batch's start, as Read does
        Assert.Equal(3, BatchesIn(leader.ReadForReplica(4, AllBytes).Bytes)[0].Base);
        Assert.Equal(0, leader.ReadForReplica(8, AllBytes).Length);
    }

    [Fact]
    public void ReadForReplica_does_not_serve_batches_still_pending_in_memory()
    {
        using var leader = WrittenLeader(LeaderDir);
        AppendBatch(leader, 2, epoch: 3); // 8-9, not written to the file

        Assert.Equal(7, BatchesIn(leader.ReadForReplica(0, AllBytes).Bytes)[^1].Last);
        Assert.Equal(0, leader.ReadForReplica(8, AllBytes).Length);

        leader.WritePending();
        Assert.Equal((8L, 9L, 3), BatchesIn(leader.ReadForReplica(8, AllBytes).Bytes).Single());
        Assert.Equal(0, leader.Read(8, AllBytes).Length);
    }

    [Fact]
    public void ReadForReplica_with_a_small_limit_still_returns_one_whole_batch()
    {
        using var leader = WrittenLeader(LeaderDir);

        var one = leader.ReadForReplica(3, maxBytes: 1);

        Assert.Equal((3L, 5L, 3), BatchesIn(one.Bytes).Single());
        Assert.Equal(3, Decode(one.Bytes).Count);
    }

    // ---- AppendReplicated ----

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_follower_fed_the_leaders_bytes_has_the_same_offsets_epochs_and_bytes_and_keeps_them_over_a_reopen(bool clean)
    {
        using var leader = WrittenLeader(LeaderDir);
        var follower = OpenLog(FollowerDir, Config);

        long appended = follower.AppendReplicated(leader.ReadForReplica(0, AllBytes).Bytes);

        Assert.Equal(8, appended);
        Assert.Equal(8, follower.LogEndOffset);
        Assert.Equal(LeaderEpochsOfWrittenLeader, follower.LeaderEpochs);
        Assert.Equal(leader.LeaderEpochs, follower.LeaderEpochs);
        Assert.Equal(3, follower.LatestEpoch);
        Assert.Equal(0, follower.Read(0, AllBytes).Length); // not acknowledged on the follower either

        leader.Flush();
        follower.Flush();
        var leaderBytes = leader.Read(0, AllBytes).Bytes.ToArray();
        Assert.Equal(leaderBytes, follower.Read(0, AllBytes).Bytes.ToArray());
        Assert.Equal([(0L, 1L, 0), (2L, 2L, 0), (3L, 5L, 3), (6L, 7L, 3)], BatchesIn(follower.Read(0, AllBytes).Bytes));

        follower = Reopen(follower, clean);
        try
        {
            Assert.Equal((8L, 8L), (follower.LogEndOffset, follower.HighWatermark));
            Assert.Equal(LeaderEpochsOfWrittenLeader, follower.LeaderEpochs);
            Assert.Equal(leaderBytes, follower.Read(0, AllBytes).Bytes.ToArray());
            follower.AssertReadsEveryOffset(0, 8);
        }
        finally { follower.Dispose(); }
    }

    [Fact]
    public void A_follower_catching_up_a_batch_per_fetch_across_segments_ends_byte_identical()
    {
        using var leader = OpenLog(LeaderDir, SmallSegments);
        int[] sizes = [1, 3, 2, 1, 3, 2, 2, 1, 3, 1, 2, 3];
        for (int i = 0; i < sizes.Length; i++) AppendBatch(leader, sizes[i], epoch: i < 5 ? 1 : i < 9 ? 4 : 6);
        leader.WritePending();
        Assert.True(leader.Segments.Count > 3, "the test needs several segments");
        using var follower = OpenLog(FollowerDir, SmallSegments);

        CatchUp(follower, leader, maxBytes: 1); // one whole batch per fetch

        Assert.Equal(leader.LogEndOffset, follower.LogEndOffset);
        Assert.Equal(leader.LeaderEpochs, follower.LeaderEpochs);
        Assert.Equal(3, follower.LeaderEpochs.Count);
        leader.Flush();
        follower.Flush();
        Assert.Equal(AllReadable(leader), AllReadable(follower));
        follower.AssertReadsEveryOffset(0, follower.LogEndOffset);
    }

    [Fact]
    public void A_batch_sent_twice_is_refused_and_nothing_is_stored()
    {
        using var leader = WrittenLeader(LeaderDir);
        using var follower = OpenLog(FollowerDir, Config);
        var all = leader.ReadForReplica(0, AllBytes).Bytes.ToArray();
        follower.AppendReplicated(all);

        var again = Assert.Throws<InvalidBatchException>(() => follower.AppendReplicated(all));
        var lastAgain = Assert.Throws<InvalidBatchException>(() => follower.AppendReplicated(leader.ReadForReplica(6, AllBytes).Bytes));

        Assert.Equal(InvalidBatchReason.Corrupt, again.Reason);
        Assert.Equal(InvalidBatchReason.Corrupt, lastAgain.Reason);
        Assert.Equal(8, follower.LogEndOffset);
        Assert.Equal(LeaderEpochsOfWrittenLeader, follower.LeaderEpochs);
        follower.Flush();
        Assert.Equal(all, AllReadable(follower));
    }

    [Fact]
    public void A_batch_leaving_a_gap_is_refused_and_nothing_is_stored()
    {
        using var leader = WrittenLeader(LeaderDir);
        using var follower = OpenLog(FollowerDir, Config);
        using var empty = OpenLog(Path.Combine(Root, "empty", "orders-0"), Config);
        follower.AppendReplicated(leader.ReadForReplica(0, 1).Bytes); // 0-1
        follower.AppendReplicated(leader.ReadForReplica(2, 1).Bytes); // 2

        var gap = Assert.Throws<InvalidBatchException>(() => follower.AppendReplicated(leader.ReadForReplica(6, AllBytes).Bytes));
        Assert.Throws<InvalidBatchException>(() => empty.AppendReplicated(leader.ReadForReplica(3, AllBytes).Bytes));

        Assert.Equal(InvalidBatchReason.Corrupt, gap.Reason);
        Assert.Equal(3, follower.LogEndOffset);
        Assert.Equal([new EpochEntry(0, 0)], follower.LeaderEpochs); // epoch 3 was not learnt from the refused batch
        Assert.Equal((0L, -1), (empty.LogEndOffset, empty.LatestEpoch));
        Assert.Empty(empty.LeaderEpochs);
        // the follower goes on from where it is
        Assert.Equal(5, follower.AppendReplicated(leader.ReadForReplica(3, AllBytes).Bytes));
        Assert.Equal(LeaderEpochsOfWrittenLeader, follower.LeaderEpochs);
    }

    [Fact]
    public void A_chunk_whose_later_batch_overlaps_is_refused_whole_and_nothing_of_it_is_stored()
    {
        using var leader = WrittenLeader(LeaderDir);
        using var follower = OpenLog(FollowerDir, Config);
        var first = leader.ReadForReplica(0, 1).Bytes.ToArray(); // batch 0-1
        var rest = leader.ReadForReplica(2, AllBytes).Bytes.ToArray(); // 2, 3-5, 6-7
        // the first batch fits the follower's end, then the same batch again (overlap), then the rest
        byte[] chunk = [.. first, .. first, .. rest];

        Assert.Throws<InvalidBatchException>(() => follower.AppendReplicated(chunk));

        Assert.Equal(0, follower.LogEndOffset);
        Assert.Empty(follower.LeaderEpochs);
    }

    [Fact]
    public void A_chunk_with_a_damaged_later_batch_is_refused_whole_and_nothing_of_it_is_stored()
    {
        using var leader = WrittenLeader(LeaderDir);
        using var follower = OpenLog(FollowerDir, Config);
        var chunk = leader.ReadForReplica(0, AllBytes).Bytes.ToArray();
        chunk[^1] ^= 0xFF; // inside the last batch's records: its CRC no longer matches

        Assert.Throws<InvalidBatchException>(() => follower.AppendReplicated(chunk));

        Assert.Equal(0, follower.LogEndOffset);
        Assert.Empty(follower.LeaderEpochs);
    }

    [Fact]
    public void A_fetch_cut_by_its_byte_limit_inside_a_batch_is_stored_up_to_its_last_whole_batch()
    {
        using var leader = WrittenLeader(LeaderDir);
        using var follower = OpenLog(FollowerDir, Config);
        int firstBatch = leader.ReadForReplica(0, 1).Length;
        var cut = leader.ReadForReplica(0, firstBatch + 20); // batch 0-1 whole, then 20 bytes of batch 2
        Assert.Equal(firstBatch + 20, cut.Length);
        Assert.Equal((0L, 1L, 0), BatchesIn(cut.Bytes).Single());

        // ReadResult's contract: whole batches, possibly followed by one cut by the limit, which a reader skips
        long appended = follower.AppendReplicated(cut.Bytes);

        Assert.Equal(2, appended);
        Assert.Equal(2, follower.LogEndOffset);
        CatchUp(follower, leader);
        Assert.Equal(8, follower.LogEndOffset);
    }

    // ---- producer state ----

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(true, true)]
    public void An_idempotent_producers_replicated_batches_are_duplicates_on_the_follower(bool reopen, bool clean)
    {
        using var leader = OpenLog(LeaderDir, Config);
        var stamp = new ProducerStamp(Pid + 1, 0, 0);
        Assert.Equal(Outcome.Appended, leader.AppendClientBatch(BatchBytes.Idempotent(Pid, 0, 0, records: 2), leaderEpoch: 5).Outcome); // 0-1
        Assert.Equal(Outcome.Appended, leader.AppendIdempotent(Records("a", "b", "c"), Now, stamp, leaderEpoch: 5).Outcome); // 2-4
        leader.WritePending();
        var follower = OpenLog(FollowerDir, Config);
        try
        {
            Assert.Equal(5, follower.AppendReplicated(leader.ReadForReplica(0, AllBytes).Bytes));
            follower.Flush();
            if (reopen) follower = Reopen(follower, clean);

            // the follower, now leader, gets the producers' retries
            Assert.Equal(new ProducerAppendResult(Outcome.Duplicate, 0, 1),
                follower.AppendClientBatch(BatchBytes.Idempotent(Pid, 0, 0, records: 2), leaderEpoch: 6));
            Assert.Equal(new ProducerAppendResult(Outcome.Duplicate, 2, 4),
                follower.AppendIdempotent(Records("a", "b", "c"), Now, stamp, leaderEpoch: 6));
            Assert.Equal(5, follower.LogEndOffset);
            // and holds them to their sequences
            Assert.Equal(Outcome.OutOfOrderSequence, follower.AppendClientBatch(BatchBytes.Idempotent(Pid, 0, 5), leaderEpoch: 6).Outcome);
            Assert.Equal(new ProducerAppendResult(Outcome.Appended, 5, 5),
                follower.AppendClientBatch(BatchBytes.Idempotent(Pid, 0, 2), leaderEpoch: 6));
            Assert.Equal([new EpochEntry(5, 0), new EpochEntry(6, 5)], follower.LeaderEpochs);
        }
        finally { follower.Dispose(); }
    }

    [Fact]
    public void A_divergent_tail_cut_away_takes_its_producer_batches_with_it()
    {
        using var leader = OpenLog(LeaderDir, Config);
        leader.AppendClientBatch(BatchBytes.Idempotent(Pid, 0, 0, records: 2), leaderEpoch: 1); // 0-1
        leader.AppendClientBatch(BatchBytes.Idempotent(Pid, 0, 2, records: 2), leaderEpoch: 2); // 2-3
        leader.WritePending();
        using var follower = OpenLog(FollowerDir, Config);
        follower.AppendReplicated(leader.ReadForReplica(0, AllBytes).Bytes);
        follower.Flush();

        follower.TruncateDivergentTail(2);

        Assert.Equal(new ProducerAppendResult(Outcome.Duplicate, 0, 1),
            follower.AppendClientBatch(BatchBytes.Idempotent(Pid, 0, 0, records: 2), leaderEpoch: 3));
        Assert.Equal(new ProducerAppendResult(Outcome.Appended, 2, 3), // no longer a duplicate: it is stored again
            follower.AppendClientBatch(BatchBytes.Idempotent(Pid, 0, 2, records: 2), leaderEpoch: 3));
    }

    // ---- LatestEpoch, EpochEnd ----

    [Fact]
    public void EpochEnd_answers_with_the_largest_known_epoch_at_most_the_one_asked_and_where_it_ends()
    {
        var log = OpenLog(LeaderDir, Config);
        try
        {
            AppendBatch(log, 2, epoch: 2); // 0-1
            AppendBatch(log, 1, epoch: 2); // 2
            AppendBatch(log, 3, epoch: 4); // 3-5
            AppendBatch(log, 1, epoch: 7); // 6
            AppendBatch(log, 2, epoch: 7); // 7-8
            log.Flush();
            Assert.Equal([new EpochEntry(2, 0), new EpochEntry(4, 3), new EpochEntry(7, 6)], log.LeaderEpochs);

            for (int round = 0; round < 2; round++)
            {
                Assert.Equal(7, log.LatestEpoch);
                Assert.Equal((2, 3L), log.EpochEnd(2)); // the first: ends where the next starts
                Assert.Equal((4, 6L), log.EpochEnd(4)); // one in the middle
                Assert.Equal((7, 9L), log.EpochEnd(7)); // the latest: ends at the log end
                Assert.Equal((4, 6L), log.EpochEnd(5)); // between known epochs: the one before it
                Assert.Equal((4, 6L), log.EpochEnd(6));
                Assert.Equal((-1, -1L), log.EpochEnd(1)); // older than every known epoch
                Assert.Equal((-1, -1L), log.EpochEnd(0));
                log = Reopen(log, clean: round == 0); // the checkpoint answers the same after a restart
            }
        }
        finally { log.Dispose(); }
    }

    [Fact]
    public void The_latest_epoch_ends_at_the_log_end_as_it_grows()
    {
        using var log = WrittenLeader(LeaderDir);
        Assert.Equal((3, 8L), log.EpochEnd(3));

        AppendBatch(log, 2, epoch: 3); // pending, not even written: the log end counts
        Assert.Equal((3, 10L), log.EpochEnd(3));
        Assert.Equal((0, 3L), log.EpochEnd(2));
    }

    [Fact]
    public void A_log_without_batches_knows_no_epoch()
    {
        using var log = OpenLog(LeaderDir, Config);
        Assert.Equal(-1, log.LatestEpoch);
        Assert.Equal((-1, -1L), log.EpochEnd(0));
        Assert.Equal((-1, -1L), log.EpochEnd(int.MaxValue));
    }

    [Fact]
    public void A_follower_answers_EpochEnd_as_its_leader_does()
    {
        using var leader = WrittenLeader(LeaderDir);
        using var follower = OpenLog(FollowerDir, Config);
        follower.AppendReplicated(leader.ReadForReplica(0, AllBytes).Bytes);

        Assert.Equal(leader.LatestEpoch, follower.LatestEpoch);
        foreach (int epoch in new[] { 0, 1, 2, 3, 4 })
            Assert.Equal(leader.EpochEnd(epoch), follower.EpochEnd(epoch));
        Assert.Equal((0, 3L), follower.EpochEnd(2));
    }

    // ---- TruncateDivergentTail ----

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Truncating_a_divergent_tail_below_the_high_watermark_cuts_at_the_batch_boundary_and_survives_reopening(bool clean)
    {
        var log = WrittenLeader(LeaderDir);
        try
        {
            log.Flush();
            Assert.Equal((8L, 8L), (log.HighWatermark, log.LogEndOffset));
            Assert.Throws<ArgumentOutOfRangeException>(() => log.TruncateTo(4)); // acknowledged: TruncateTo refuses

            log.TruncateDivergentTail(4); // inside batch 3-5: the whole batch goes

            Assert.Equal((3L, 3L, 3L), (log.LogEndOffset, log.FlushedOffset, log.HighWatermark));
            Assert.Equal([new EpochEntry(0, 0)], log.LeaderEpochs);
            Assert.Equal(0, log.LatestEpoch);
            Assert.Equal((0, 3L), log.EpochEnd(3));
            Assert.Equal(0, log.Read(3, AllBytes).Length);
            Assert.Equal(0, log.ReadForReplica(3, AllBytes).Length);
            log.AssertReadsEveryOffset(0, 3);

            log = Reopen(log, clean);
            Assert.Equal((3L, 3L), (log.LogEndOffset, log.HighWatermark));
            Assert.Equal([new EpochEntry(0, 0)], log.LeaderEpochs);
            log.AssertReadsEveryOffset(0, 3);
            Assert.Equal(0, log.Read(3, AllBytes).Length);

            // the offsets are reused, in a new epoch
            Assert.Equal((3L, 4L), log.Append(Records("new-3", "new-4"), Timestamp, leaderEpoch: 5));
            log.Flush();
            Assert.Equal([new EpochEntry(0, 0), new EpochEntry(5, 3)], log.LeaderEpochs);
            Assert.Equal(["new-3", "new-4"], Decode(log.Read(3, AllBytes).Bytes).Select(r => r.Value));
            log = Reopen(log, clean);
            Assert.Equal(5, log.LogEndOffset);
            Assert.Equal(["new-3", "new-4"], Decode(log.Read(3, AllBytes).Bytes).Select(r => r.Value));
            Assert.Equal([new EpochEntry(0, 0), new EpochEntry(5, 3)], log.LeaderEpochs);
        }
        finally { log.Dispose(); }
    }

    [Fact]
    public void Truncating_a_divergent_tail_at_a_batch_boundary_keeps_the_epoch_that_started_before_it()
    {
        using var log = WrittenLeader(LeaderDir);
        log.Flush();

        log.TruncateDivergentTail(6);

        Assert.Equal((6L, 6L), (log.LogEndOffset, log.HighWatermark));
        Assert.Equal(LeaderEpochsOfWrittenLeader, log.LeaderEpochs);
        Assert.Equal((3, 6L), log.EpochEnd(3));
        log.AssertReadsEveryOffset(0, 6);
    }

    [Fact]
    public void Truncating_a_divergent_tail_at_or_past_the_log_end_changes_nothing()
    {
        using var log = WrittenLeader(LeaderDir);
        log.Flush();

        log.TruncateDivergentTail(8);
        log.TruncateDivergentTail(100);

        Assert.Equal((8L, 8L), (log.LogEndOffset, log.HighWatermark));
        Assert.Equal(LeaderEpochsOfWrittenLeader, log.LeaderEpochs);
        log.AssertReadsEveryOffset(0, 8);
    }

    [Fact]
    public void Truncating_a_divergent_tail_across_segments_drops_the_later_segments()
    {
        var log = OpenLog(LeaderDir, SmallSegments);
        try
        {
            for (int i = 0; i < 12; i++) AppendBatch(log, 2, epoch: i / 4); // epochs 0, 1, 2 from offsets 0, 8, 16
            log.Flush();
            Assert.True(log.Segments.Count > 3, "the test needs several segments");

            log.TruncateDivergentTail(9); // inside batch 8-9, the first of epoch 1

            Assert.Equal((8L, 8L), (log.LogEndOffset, log.HighWatermark));
            Assert.All(log.Segments, s => Assert.True(s.BaseOffset <= 8));
            Assert.Equal([new EpochEntry(0, 0)], log.LeaderEpochs);
            log = Reopen(log, clean: false);
            Assert.Equal(8, log.LogEndOffset);
            log.AssertReadsEveryOffset(0, 8);
            log.AppendUpTo(12);
            log = Reopen(log, clean: true);
            log.AssertReadsEveryOffset(0, 12);
        }
        finally { log.Dispose(); }
    }

    [Fact]
    public void A_diverged_follower_truncates_by_the_new_leaders_EpochEnd_and_then_matches_it()
    {
        // both had 0-1, 2 (epoch 0) and 3-5 (epoch 3); the old leader (now follower) also wrote 6-7 in epoch 3, which
        // never reached the new leader; the new leader then wrote 6 and 7-9 in epoch 4
        using var newLeader = OpenLog(LeaderDir, Config);
        var follower = OpenLog(FollowerDir, Config);
        try
        {
            foreach (var log in new[] { newLeader, follower })
            {
                AppendBatch(log, 2, epoch: 0);
                AppendBatch(log, 1, epoch: 0);
                AppendBatch(log, 3, epoch: 3);
            }
            follower.Append(Records("lost-6", "lost-7"), Timestamp, leaderEpoch: 3);
            follower.Flush();
            follower = Reopen(follower, clean: false); // a restarted replica counts all of its log acknowledged
            Assert.Equal(8, follower.HighWatermark);
            newLeader.Append(Records("kept-6"), Timestamp, leaderEpoch: 4);
            newLeader.Append(Records("kept-7", "kept-8", "kept-9"), Timestamp, leaderEpoch: 4);
            newLeader.Flush();

            var (epoch, end) = newLeader.EpochEnd(follower.LatestEpoch);
            Assert.Equal((3, 6L), (epoch, end));
            follower.TruncateDivergentTail(end);
            Assert.Equal((6L, 6L), (follower.LogEndOffset, follower.HighWatermark));
            CatchUp(follower, newLeader);
            follower.Flush();

            Assert.Equal(10, follower.LogEndOffset);
            Assert.Equal(newLeader.LeaderEpochs, follower.LeaderEpochs);
            Assert.Equal(AllReadable(newLeader), AllReadable(follower));
            Assert.Equal(["kept-6", "kept-7", "kept-8", "kept-9"], Decode(follower.Read(6, AllBytes).Bytes).Select(r => r.Value));
        }
        finally { follower.Dispose(); }
    }
}
