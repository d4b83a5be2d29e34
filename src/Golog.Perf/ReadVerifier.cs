namespace Golog.Perf;

/// <summary>
/// Checks what a consumer reads: offsets contiguous from where it started, each payload intact, each sequence number
/// of the run seen exactly once, and each writer's messages in the order it sent them. Partitions may be checked
/// from different threads; one partition from one thread at a time.
/// </summary>
public sealed class ReadVerifier(long expectedMessages, int size)
{
    private readonly long[] _seen = new long[(expectedMessages + 63) / 64];

    /// <summary>Per-partition state: the next offset expected and the last sequence number of each writer.</summary>
    public sealed class Partition(int id, long startOffset)
    {
        public int Id { get; } = id;
        public long NextOffset { get; internal set; } = startOffset;
        internal Dictionary<int, long> LastSeqByWriter { get; } = [];
    }

    /// <summary>Null if the record at <paramref name="offset"/> with <paramref name="message"/> (UTF-8) is right; otherwise what is wrong with it.</summary>
    public string? Check(Partition p, long offset, ReadOnlySpan<byte> message)
    {
        if (offset != p.NextOffset) return $"partition {p.Id}: expected offset {p.NextOffset}, got {offset}";
        if (Payload.Check(message, size, out int writer, out long seq) is { } bad) return $"partition {p.Id} offset {offset}: {bad}";
        if (seq >= expectedMessages) return $"partition {p.Id} offset {offset}: message {seq} is beyond the {expectedMessages} expected";
        long bit = 1L << (int)(seq & 63);
        if ((Interlocked.Or(ref _seen[seq >> 6], bit) & bit) != 0) return $"partition {p.Id} offset {offset}: message {seq} read twice";
        if (p.LastSeqByWriter.TryGetValue(writer, out long last) && seq <= last)
            return $"partition {p.Id} offset {offset}: writer {writer}'s message {seq} after its message {last}";
        p.LastSeqByWriter[writer] = seq;
        p.NextOffset++;
        return null;
    }
}
