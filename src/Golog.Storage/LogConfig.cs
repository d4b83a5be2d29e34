namespace Golog.Storage;

/// <summary>How a partition's log is cut into segments and indexed. Immutable; one per topic.</summary>
public sealed record LogConfig
{
    /// <summary>Roll to a new segment when the active one would pass this many bytes.</summary>
    public long SegmentBytes { get; init; } = 128L * 1024 * 1024;

    /// <summary>Roll when the active segment holds this many messages (the seed used 10).</summary>
    public long SegmentMessages { get; init; } = long.MaxValue;

    /// <summary>
    /// Roll when the active segment took its first append of this process this long ago (<see cref="Segment.FirstAppendUtc"/>):
    /// the age starts again after a restart, where Kafka measures it from the first batch's timestamp.
    /// </summary>
    public TimeSpan SegmentAge { get; init; } = TimeSpan.FromDays(7);

    /// <summary>One sparse index entry per this many bytes of log.</summary>
    public int IndexIntervalBytes { get; init; } = 4096;

    /// <summary>Which closed segments <see cref="PartitionLog.ApplyRetention"/> deletes.</summary>
    public RetentionPolicy Retention { get; init; } = RetentionPolicy.KeepForever;

    /// <summary>
    /// Zeros written ahead of the active segment's end, up to this many bytes at a time (0: none). Later appends then
    /// overwrite allocated blocks of a file whose size does not change, so their fsync flushes data without a journal
    /// commit for the size and the block allocation: 1.2-1.4× the small fsyncs per second on ext4 here. The
    /// step grows with the segment (4 KiB at first), so thousands of small partitions preallocate little; a roll and a
    /// clean close cut the zeros off, and recovery after a crash takes a zero tail for the log's end.
    /// </summary>
    public int PreallocateBytes { get; init; } = 1024 * 1024;

    /// <summary>Largest batch a reader accepts as plausible; bigger lengths are treated as corruption.</summary>
    public int MaxBatchBytes { get; init; } = 64 * 1024 * 1024;

    /// <summary>
    /// Kafka's producer.id.expiration.ms: an idempotent producer whose last batch is older than this is forgotten
    /// (its next batch is accepted at any sequence, as a new producer's), which bounds the memory producers take.
    /// </summary>
    public TimeSpan ProducerIdExpiration { get; init; } = TimeSpan.FromDays(1);
}
