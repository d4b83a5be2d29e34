namespace Golog.Storage;

/// <summary>One of a producer's recent batches: its sequence range and where it was stored.</summary>
public readonly record struct ProducerBatchRange(int FirstSequence, int LastSequence, long FirstOffset, long LastOffset);

/// <summary>
/// What a partition remembers of one idempotent producer (Kafka's ProducerStateEntry): its epoch, the time of its
/// last batch (the batch's max timestamp, as Kafka), and its last <see cref="BatchesKept"/> batches, oldest first,
/// which is what a retry can duplicate (a producer has at most 5 requests in flight).
/// </summary>
public sealed class ProducerEntry(long producerId, short epoch, long lastTimestamp)
{
    public const int BatchesKept = 5;
    private readonly List<ProducerBatchRange> _batches = new(BatchesKept);

    public long ProducerId { get; } = producerId;
    public short Epoch { get; private set; } = epoch;
    public long LastTimestamp { get; private set; } = lastTimestamp;
    public IReadOnlyList<ProducerBatchRange> Batches => _batches;
    public int LastSequence => _batches[^1].LastSequence;

    /// <summary>The remembered batch with exactly this sequence range, if the epoch is the entry's.</summary>
    public ProducerBatchRange? FindDuplicate(in ProducerBatch batch)
    {
        if (batch.Epoch != Epoch) return null;
        foreach (var b in _batches)
            if (b.FirstSequence == batch.FirstSequence && b.LastSequence == batch.LastSequence) return b;
        return null;
    }

    /// <summary>Remembers a stored batch; a new epoch forgets the old epoch's batches (their sequences start again).</summary>
    public void Add(in ProducerBatch batch)
    {
        if (batch.Epoch != Epoch) _batches.Clear();
        Epoch = batch.Epoch;
        if (_batches.Count == BatchesKept) _batches.RemoveAt(0);
        _batches.Add(new ProducerBatchRange(batch.FirstSequence, batch.LastSequence, batch.FirstOffset, batch.LastOffset));
        LastTimestamp = batch.MaxTimestamp;
    }

    /// <summary>Restores a remembered batch (from a snapshot), oldest first.</summary>
    internal void Restore(ProducerBatchRange range)
    {
        if (_batches.Count == BatchesKept) _batches.RemoveAt(0);
        _batches.Add(range);
    }
}
