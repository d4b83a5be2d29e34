namespace Golog.Storage;

/// <summary>
/// The idempotent-producer fields a batch encoded by the broker carries when its client gave them (a JSON produce
/// with "producer_id", "producer_epoch" and "sequence"): written into the batch header as a Kafka producer writes
/// them, so the batch is checked, recovered and deduplicated exactly like a Kafka producer's.
/// </summary>
public readonly record struct ProducerStamp(long ProducerId, short Epoch, int FirstSequence);
