using static Golog.Storage.Tests.LogTestExtensions;
using Outcome = Golog.Storage.ProducerAppendOutcome;

namespace Golog.Storage.Tests;

/// <summary>Kafka's idempotent-producer rules as <see cref="PartitionLog.AppendClientBatch"/> applies them.</summary>
public class IdempotentProducerTests : TempDirectoryTest
{
    private const long Pid = 1000;

    private PartitionLog Open(LogConfig? config = null) => OpenLog(PartitionDir, config ?? new LogConfig());

    private static ProducerAppendResult Send(PartitionLog log, short epoch, int sequence, int records = 1, long pid = Pid)
    {
        var result = log.AppendClientBatch(BatchBytes.Idempotent(pid, epoch, sequence, records), leaderEpoch: 0);
        log.Flush();
        return result;
    }

    [Fact]
    public void Batches_in_sequence_are_appended_at_the_log_end()
    {
        using var log = Open();
        Assert.Equal(new ProducerAppendResult(Outcome.Appended, 0, 2), Send(log, 0, 0, records: 3));
        Assert.Equal(new ProducerAppendResult(Outcome.Appended, 3, 3), Send(log, 0, 3));
        Assert.Equal(4, log.LogEndOffset);
    }

    [Fact]
    public void A_retry_of_one_of_the_last_five_batches_gets_the_original_offsets_and_stores_nothing()
    {
        using var log = Open();
        for (int seq = 0; seq < 12; seq += 2) Send(log, 0, seq, records: 2); // six batches: 0-1 ... 10-11
        long end = log.LogEndOffset;

        Assert.Equal(new ProducerAppendResult(Outcome.Duplicate, 2, 3), Send(log, 0, 2, records: 2)); // the oldest still kept
        Assert.Equal(new ProducerAppendResult(Outcome.Duplicate, 10, 11), Send(log, 0, 10, records: 2));
        Assert.Equal(end, log.LogEndOffset);
        // the sixth-last is forgotten: its retry is a sequence gap, as in Kafka
        Assert.Equal(Outcome.OutOfOrderSequence, Send(log, 0, 0, records: 2).Outcome);
    }

    [Fact]
    public void A_gap_in_the_sequence_is_refused_and_nothing_is_stored()
    {
        using var log = Open();
        Send(log, 0, 0, records: 2);

        var refused = Send(log, 0, 3);

        Assert.Equal(Outcome.OutOfOrderSequence, refused.Outcome);
        Assert.Equal((-1L, -1L), (refused.BaseOffset, refused.LastOffset));
        Assert.Contains("next expected is 2", refused.Error);
        Assert.Equal(2, log.LogEndOffset);
        Assert.Equal(Outcome.Appended, Send(log, 0, 2).Outcome); // the producer may go on where it left off
    }

    [Fact]
    public void A_batch_overlapping_a_kept_one_without_matching_it_is_out_of_order()
    {
        using var log = Open();
        Send(log, 0, 0, records: 3);
        Assert.Equal(Outcome.OutOfOrderSequence, Send(log, 0, 1, records: 2).Outcome);
    }

    [Fact]
    public void An_older_epoch_is_fenced()
    {
        using var log = Open();
        Send(log, 2, 0);

        var refused = Send(log, 1, 1);

        Assert.Equal(Outcome.InvalidProducerEpoch, refused.Outcome);
        Assert.Contains("epoch 1 is older than its current epoch 2", refused.Error);
        Assert.Equal(1, log.LogEndOffset);
    }

    [Fact]
    public void A_new_epoch_starts_again_at_sequence_zero_and_forgets_the_old_epochs_batches()
    {
        using var log = Open();
        Send(log, 0, 0);
        Send(log, 0, 1);

        Assert.Equal(Outcome.OutOfOrderSequence, Send(log, 1, 2).Outcome);
        Assert.Equal(new ProducerAppendResult(Outcome.Appended, 2, 2), Send(log, 1, 0));
        Assert.Equal(Outcome.InvalidProducerEpoch, Send(log, 0, 1).Outcome); // a retry from the old epoch is no duplicate now
        Assert.Equal(new ProducerAppendResult(Outcome.Duplicate, 2, 2), Send(log, 1, 0));
    }

    [Fact]
    public void A_producer_with_no_state_is_accepted_at_any_sequence_as_Kafka_does_since_2_8()
    {
        using var log = Open();
        Assert.Equal(Outcome.Appended, Send(log, 0, 999).Outcome);
        Assert.Equal(Outcome.OutOfOrderSequence, Send(log, 0, 1).Outcome); // but from then on it is held to its sequence
    }

    [Fact]
    public void The_sequence_wraps_from_int32_max_to_zero()
    {
        using var log = Open();
        Assert.Equal(Outcome.Appended, Send(log, 0, int.MaxValue - 1, records: 3).Outcome); // max-1, max, 0

        Assert.Equal(new ProducerAppendResult(Outcome.Duplicate, 0, 2), Send(log, 0, int.MaxValue - 1, records: 3));
        Assert.Equal(Outcome.OutOfOrderSequence, Send(log, 0, int.MaxValue).Outcome);
        Assert.Equal(Outcome.Appended, Send(log, 0, 1).Outcome);
    }

    [Fact]
    public void Producers_are_independent_and_batches_without_a_producer_id_are_never_checked()
    {
        using var log = Open();
        Send(log, 0, 0, pid: 1);
        Assert.Equal(Outcome.Appended, Send(log, 0, 0, pid: 2).Outcome);
        Assert.Equal(Outcome.Appended, Send(log, 0, 0, pid: ProducerBatch.NoProducerId).Outcome);
        Assert.Equal(Outcome.Appended, Send(log, 0, 0, pid: ProducerBatch.NoProducerId).Outcome);
        Assert.Equal(4, log.LogEndOffset);
    }

    [Fact]
    public void A_negative_sequence_from_an_idempotent_producer_is_a_corrupt_batch()
    {
        using var log = Open();
        var refused = Assert.Throws<InvalidBatchException>(() => Send(log, 0, -1));
        Assert.Equal(InvalidBatchReason.Corrupt, refused.Reason);
        Assert.Equal(0, log.LogEndOffset);
    }

    [Fact]
    public void A_leaders_batches_are_remembered_unchecked_so_a_client_retry_of_them_is_a_duplicate()
    {
        using var log = Open();
        log.AppendRawBatch(BatchBytes.Idempotent(Pid, 0, 40), leaderEpoch: 0); // a follower takes what the leader has
        log.Flush();
        Assert.Equal(new ProducerAppendResult(Outcome.Duplicate, 0, 0), Send(log, 0, 40));
    }
}
