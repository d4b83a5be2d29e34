using static Golog.Storage.Tests.LogTestExtensions;
using Outcome = Golog.Storage.ProducerAppendOutcome;

namespace Golog.Storage.Tests;

/// <summary>
/// Producer state outlives the process (rebuilt from batch headers, or read from the snapshot a roll or a clean close
/// wrote), follows truncation and retention, and forgets producers idle past producer.id.expiration.
/// </summary>
public class ProducerStateRecoveryTests : TempDirectoryTest
{
    private const long Pid = 77;

    private PartitionLog Open(LogConfig? config = null) => OpenLog(PartitionDir, config ?? new LogConfig());

    private static ProducerAppendResult Send(PartitionLog log, int sequence, int records = 1, long? maxTimestamp = null, bool flush = true)
    {
        var result = log.AppendClientBatch(BatchBytes.Idempotent(Pid, 0, sequence, records, maxTimestamp), leaderEpoch: 0);
        if (flush) log.Flush();
        return result;
    }

    private string[] Snapshots() =>
        [.. Directory.GetFiles(PartitionDir, "*" + StorageLayout.SnapshotSuffix).Select(Path.GetFileName).Order()!];

    private static string SnapshotName(long offset) => StorageLayout.SegmentFileName(offset) + StorageLayout.SnapshotSuffix;

    [Fact]
    public void After_a_crash_the_state_is_rebuilt_from_the_batch_headers()
    {
        using (var log = Open())
        {
            Send(log, 0, records: 2);
            Send(log, 2, records: 3);
        } // no Close: as a crash leaves it

        using var reopened = Open();
        Assert.Equal(new ProducerAppendResult(Outcome.Duplicate, 0, 1), Send(reopened, 0, records: 2));
        Assert.Equal(Outcome.OutOfOrderSequence, Send(reopened, 6).Outcome);
        Assert.Equal(new ProducerAppendResult(Outcome.Appended, 5, 5), Send(reopened, 5));
    }

    [Fact]
    public void A_clean_close_snapshots_the_state_and_the_next_open_uses_it()
    {
        using (var log = Open())
        {
            Send(log, 0, records: 2);
            log.Close();
        }
        Assert.Equal([SnapshotName(2)], Snapshots());

        using (var reopened = Open())
        {
            Assert.Equal(new ProducerAppendResult(Outcome.Duplicate, 0, 1), Send(reopened, 0, records: 2));
            Assert.Equal([SnapshotName(2)], Snapshots()); // the log still ends there, so a close will not write it again
            Send(reopened, 2);
            reopened.Close();
        }
        Assert.Equal([SnapshotName(2), SnapshotName(3)], Snapshots());

        using var again = Open();
        Assert.Equal(new ProducerAppendResult(Outcome.Duplicate, 2, 2), Send(again, 2));
        Assert.Equal([SnapshotName(3)], Snapshots()); // neither a segment base nor the log end: the state is in memory now
    }

    [Fact]
    public void A_damaged_snapshot_is_ignored_and_the_headers_say_what_it_would_have()
    {
        using (var log = Open())
        {
            Send(log, 0, records: 2);
            log.Close();
        }
        var snapshot = Path.Combine(PartitionDir, SnapshotName(2));
        var bytes = File.ReadAllBytes(snapshot);
        bytes[^1] ^= 0xFF;
        File.WriteAllBytes(snapshot, bytes);

        using var reopened = Open(); // clean shutdown or not, a bad snapshot is only a slower start
        Assert.Equal(new ProducerAppendResult(Outcome.Duplicate, 0, 1), Send(reopened, 0, records: 2));
    }

    [Fact]
    public void A_batch_torn_by_a_crash_is_not_remembered_so_its_resend_is_appended()
    {
        using (var log = Open())
        {
            Send(log, 0);
            Send(log, 1, records: 3);
        }
        var file = Directory.GetFiles(PartitionDir, "*.log").Single();
        Truncate(file, BatchesEnd(file) - 5); // the last write cut short

        using var reopened = Open();
        Assert.Equal(1, reopened.LogEndOffset);
        Assert.Equal(new ProducerAppendResult(Outcome.Appended, 1, 3), Send(reopened, 1, records: 3));
    }

    [Fact]
    public void Retention_leaves_alone_the_snapshot_a_seal_is_still_writing_and_only_the_state_read_after_an_open_removes_a_cut_short_one()
    {
        string writing = Path.Combine(PartitionDir, SnapshotName(6) + ".tmp");
        using (var log = Open(new LogConfig { SegmentMessages = 2, Retention = new RetentionPolicy(null, 1) }))
        {
            for (int sequence = 0; sequence < 6; sequence += 2) Send(log, sequence, records: 2);
            File.WriteAllBytes(writing, [1, 2, 3]); // a sync thread's seal between its write and its rename
            Assert.True(log.ApplyRetention(DateTime.UtcNow) > 0);
            Assert.True(File.Exists(writing), "retention deleted the temp file of a snapshot being written: its rename fails with storage_error");
        }
        using var reopened = Open();
        _ = reopened.Producers;
        Assert.False(File.Exists(writing), "a rewrite a crash cut short is removed when the state is read after an open");
    }

    [Fact]
    public void A_roll_snapshots_the_state_at_the_new_segments_base_once_the_old_segment_is_sealed()
    {
        using var log = Open(new LogConfig { SegmentMessages = 2 });
        Send(log, 0, records: 2);
        Send(log, 2, flush: false); // rolls: the snapshot of offset 2 waits for the old segment's seal
        Assert.Empty(Snapshots());
        log.Flush();
        Assert.Equal([SnapshotName(2)], Snapshots());

        log.Dispose();
        File.Delete(Directory.GetFiles(PartitionDir, "*.log").Order().First()); // the snapshot alone knows the first batch now
        using var reopened = Open();
        Assert.Equal(new ProducerAppendResult(Outcome.Duplicate, 0, 1), Send(reopened, 0, records: 2));
    }

    [Fact]
    public void An_open_that_had_to_read_closed_segments_snapshots_the_active_base_so_the_next_crash_reads_only_that_segment()
    {
        var config = new LogConfig { SegmentMessages = 2 };
        using (var log = Open(config))
        {
            Send(log, 0, records: 2);
            Send(log, 2, records: 2); // rolled at 2
            Send(log, 4); // rolled at 4
        }
        foreach (var snapshot in Directory.GetFiles(PartitionDir, "*" + StorageLayout.SnapshotSuffix)) File.Delete(snapshot); // a log from before snapshots

        using (var log = Open(config)) Assert.Equal(Outcome.Duplicate, Send(log, 2, records: 2).Outcome);

        Assert.Equal([SnapshotName(4)], Snapshots());
        using var reopened = Open(config);
        Assert.Equal(new ProducerAppendResult(Outcome.Duplicate, 0, 1), Send(reopened, 0, records: 2));
    }

    [Fact]
    public void Truncation_forgets_the_batches_it_cuts_and_the_snapshots_past_the_new_end()
    {
        using var log = Open(new LogConfig { SegmentMessages = 2 });
        Send(log, 0);
        Send(log, 1, flush: false);
        Send(log, 2, flush: false); // rolled at 2
        log.WritePending();
        log.TakeUnsynced().Run(); // sealed, snapshot of 2 written, but not acknowledged
        Assert.Equal([SnapshotName(2)], Snapshots());

        log.TruncateTo(1);

        Assert.Empty(Snapshots());
        Assert.Equal(new ProducerAppendResult(Outcome.Appended, 1, 1), Send(log, 1));
        Assert.Equal(new ProducerAppendResult(Outcome.Duplicate, 0, 0), Send(log, 0));
    }

    [Fact]
    public void A_producer_whose_batches_retention_deleted_is_still_known_in_memory_and_after_a_restart()
    {
        using (var log = Open(new LogConfig { SegmentMessages = 2 }))
        {
            Send(log, 0, records: 2);
            log.AppendDurably("other"); // rolls at 2
            log.AppendDurably("more");
            Assert.Equal(1, log.DeleteOldSegments((_, _) => true));
            Assert.Equal(2, log.LogStartOffset);
            Assert.Equal(new ProducerAppendResult(Outcome.Duplicate, 0, 1), Send(log, 0, records: 2));
        }
        using var reopened = Open(new LogConfig { SegmentMessages = 2 });
        Assert.Equal(Outcome.OutOfOrderSequence, Send(reopened, 5).Outcome);
        Assert.Equal(Outcome.Appended, Send(reopened, 2).Outcome);
    }

    [Fact]
    public void A_producer_idle_longer_than_the_expiration_is_forgotten_and_a_recent_one_kept()
    {
        var config = new LogConfig { ProducerIdExpiration = TimeSpan.FromHours(1) };
        var now = DateTime.UtcNow;
        long ms(TimeSpan ago) => new DateTimeOffset(now - ago).ToUnixTimeMilliseconds();
        using var log = Open(config);
        Send(log, 0, maxTimestamp: ms(TimeSpan.FromHours(2)));
        log.AppendClientBatch(BatchBytes.Idempotent(Pid + 1, 0, 0, maxTimestamp: ms(TimeSpan.FromMinutes(10))), 0);
        log.Flush();

        Assert.Equal(1, log.RemoveExpiredProducers(now));

        Assert.Null(log.Producers.Find(Pid));
        Assert.NotNull(log.Producers.Find(Pid + 1));
        Assert.Equal(Outcome.Appended, Send(log, 0).Outcome); // its retry is not recognised any more: as in Kafka
    }

    [Fact]
    public void Producers_already_expired_are_not_rebuilt_at_open()
    {
        var config = new LogConfig { ProducerIdExpiration = TimeSpan.FromHours(1) };
        using (var log = Open(config))
            Send(log, 0, maxTimestamp: new DateTimeOffset(DateTime.UtcNow.AddHours(-2)).ToUnixTimeMilliseconds());

        using var reopened = Open(config);
        Assert.Equal(0, reopened.Producers.Count);
    }

    [Fact]
    public void A_snapshot_round_trips_every_producer_and_its_last_five_batches_and_rejects_any_damage()
    {
        var table = new ProducerStateTable();
        for (int seq = 0; seq < 7; seq++) table.Record(new ProducerBatch(1, 3, seq, seq, 10 + seq, 10 + seq, 1234));
        table.Record(new ProducerBatch(2, 0, int.MaxValue, 4, 100, 105, 99));

        var bytes = ProducerSnapshot.Serialize(table);
        var parsed = ProducerSnapshot.TryParse(bytes)!;

        Assert.Equal(2, parsed.Count);
        Assert.Equal(table.Find(1)!.Batches, parsed.Find(1)!.Batches);
        Assert.Equal((short)3, parsed.Find(1)!.Epoch);
        Assert.Equal(1234, parsed.Find(1)!.LastTimestamp);
        Assert.Equal([new ProducerBatchRange(int.MaxValue, 4, 100, 105)], parsed.Find(2)!.Batches);
        for (int i = 0; i < bytes.Length; i++)
        {
            var damaged = (byte[])bytes.Clone();
            damaged[i] ^= 0x01;
            Assert.Null(ProducerSnapshot.TryParse(damaged));
        }
        Assert.Null(ProducerSnapshot.TryParse(bytes.AsSpan(0, bytes.Length - 1)));
    }
}
