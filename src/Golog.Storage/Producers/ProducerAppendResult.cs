namespace Golog.Storage;

/// <summary>What became of a client's batch that <see cref="PartitionLog.AppendClientBatch"/> was given.</summary>
public enum ProducerAppendOutcome
{
    /// <summary>Stored at the returned offsets (also every batch without a producer id).</summary>
    Appended,
    /// <summary>
    /// A retry of one of the producer's last <see cref="ProducerEntry.BatchesKept"/> batches: nothing was stored, the
    /// offsets are the original batch's. Kafka answers it as a success (error NONE) with those offsets.
    /// </summary>
    Duplicate,
    /// <summary>The first sequence does not follow the producer's last one (a gap, or a new epoch not starting at 0): Kafka's 45.</summary>
    OutOfOrderSequence,
    /// <summary>The batch's producer epoch is older than the one stored (a fenced or zombie producer): Kafka's 47.</summary>
    InvalidProducerEpoch,
}

/// <summary>
/// The outcome of a client append, the offsets the batch has (<see cref="ProducerAppendOutcome.Appended"/>: new;
/// <see cref="ProducerAppendOutcome.Duplicate"/>: the original's; otherwise -1) and, for a refusal, why in one sentence.
/// </summary>
public readonly record struct ProducerAppendResult(ProducerAppendOutcome Outcome, long BaseOffset, long LastOffset, string? Error = null)
{
    public static ProducerAppendResult Refused(ProducerAppendOutcome outcome, string error) => new(outcome, -1, -1, error);
}
