namespace Golog.Storage;

/// <summary>
/// The idempotent producers of one partition and the rules a client's batch must pass, as Kafka's
/// ProducerStateManager and ProducerAppendInfo apply them:
/// <list type="bullet">
/// <item>a retry of one of the last 5 batches (same epoch, same first and last sequence) is a duplicate;</item>
/// <item>an epoch older than the stored one is refused (InvalidProducerEpoch);</item>
/// <item>a newer epoch must start at sequence 0; the same epoch must continue at last sequence + 1, wrapping from
/// int32 max to 0; anything else is OutOfOrderSequence;</item>
/// <item>a producer with no state (new, expired, or all its batches deleted) is accepted at any sequence: Kafka 2.8+
/// no longer answers UNKNOWN_PRODUCER_ID there, so neither does Golog.</item>
/// </list>
/// Not thread-safe: the owning partition serialises.
/// </summary>
public sealed class ProducerStateTable
{
    private readonly Dictionary<long, ProducerEntry> _producers = [];

    public int Count => _producers.Count;
    public IEnumerable<ProducerEntry> Entries => _producers.Values;

    public ProducerEntry? Find(long producerId) => _producers.GetValueOrDefault(producerId);

    /// <summary>
    /// Whether <paramref name="batch"/> (with a producer id) may be appended: Appended means yes, Duplicate carries
    /// the original's offsets, the rest are refusals with a sentence for the client.
    /// </summary>
    public ProducerAppendResult Check(in ProducerBatch batch)
    {
        if (!_producers.TryGetValue(batch.ProducerId, out var entry))
            return new ProducerAppendResult(ProducerAppendOutcome.Appended, batch.FirstOffset, batch.LastOffset);
        if (entry.FindDuplicate(batch) is { } original)
            return new ProducerAppendResult(ProducerAppendOutcome.Duplicate, original.FirstOffset, original.LastOffset);
        if (batch.Epoch < entry.Epoch)
            return ProducerAppendResult.Refused(ProducerAppendOutcome.InvalidProducerEpoch,
                $"producer {batch.ProducerId} epoch {batch.Epoch} is older than its current epoch {entry.Epoch}: the producer was fenced");
        if (batch.Epoch > entry.Epoch)
        {
            return batch.FirstSequence == 0
                ? new ProducerAppendResult(ProducerAppendOutcome.Appended, batch.FirstOffset, batch.LastOffset)
                : ProducerAppendResult.Refused(ProducerAppendOutcome.OutOfOrderSequence,
                    $"producer {batch.ProducerId} started epoch {batch.Epoch} at sequence {batch.FirstSequence}; a new epoch starts at 0");
        }
        int expected = ProducerBatch.IncrementSequence(entry.LastSequence, 1);
        return batch.FirstSequence == expected
            ? new ProducerAppendResult(ProducerAppendOutcome.Appended, batch.FirstOffset, batch.LastOffset)
            : ProducerAppendResult.Refused(ProducerAppendOutcome.OutOfOrderSequence,
                $"producer {batch.ProducerId} sent sequence {batch.FirstSequence} but the next expected is {expected}");
    }

    /// <summary>Remembers a batch now in the log (checked, or from a leader or recovery, which are not checked).</summary>
    public void Record(in ProducerBatch batch)
    {
        if (!_producers.TryGetValue(batch.ProducerId, out var entry))
            _producers[batch.ProducerId] = entry = new ProducerEntry(batch.ProducerId, batch.Epoch, batch.MaxTimestamp);
        entry.Add(batch);
    }

    /// <summary>
    /// Forgets producers whose last batch is <paramref name="expiration"/> or more older than <paramref name="nowMs"/>
    /// (Kafka's producer.id.expiration.ms): memory stays bounded however many producers come and go. Returns how many.
    /// </summary>
    public int RemoveExpired(long nowMs, TimeSpan expiration)
    {
        long limit = (long)expiration.TotalMilliseconds;
        var expired = _producers.Values.Where(e => nowMs - e.LastTimestamp >= limit).Select(e => e.ProducerId).ToList();
        foreach (var id in expired) _producers.Remove(id);
        return expired.Count;
    }

    internal void Add(ProducerEntry entry) => _producers[entry.ProducerId] = entry;
}
