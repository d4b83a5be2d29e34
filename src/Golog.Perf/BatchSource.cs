namespace Golog.Perf;

/// <summary>
/// Hands out the run's sequence numbers 0..messages-1 in batches to any number of writers: each is produced exactly
/// once, and each writer's claims increase, so a consumer can check both.
/// </summary>
public sealed class BatchSource(long messages, int batch)
{
    private long _lastClaimed = -1;

    public bool TryClaim(out long firstSeq, out int count)
    {
        long b = Interlocked.Increment(ref _lastClaimed);
        firstSeq = b * batch;
        count = firstSeq < messages ? (int)Math.Min(batch, messages - firstSeq) : 0;
        return count > 0;
    }
}
