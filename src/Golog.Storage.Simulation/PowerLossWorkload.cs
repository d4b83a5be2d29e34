namespace Golog.Storage.Simulation;

/// <summary>What one seed of the power-loss simulation does to a partition log and a group's offsets before the power goes.</summary>
public sealed record PowerLossWorkload(string Name, LogConfig Config, int MaxBatchRecords, bool Commits, bool Faults, bool BitFlips)
{
    private static readonly LogConfig Small = new() { SegmentBytes = 4 * 1024, IndexIntervalBytes = 512 };

    public static readonly IReadOnlyList<PowerLossWorkload> All =
    [
        new("single-appends", new LogConfig { IndexIntervalBytes = 512 }, MaxBatchRecords: 1, Commits: false, Faults: false, BitFlips: false),
        new("batches", new LogConfig { IndexIntervalBytes = 512 }, MaxBatchRecords: 8, Commits: false, Faults: false, BitFlips: false),
        new("segment-rolls", Small, MaxBatchRecords: 4, Commits: false, Faults: false, BitFlips: false),
        new("retention-deletes", Small with { Retention = new RetentionPolicy(null, 8 * 1024) }, MaxBatchRecords: 4, Commits: false, Faults: false, BitFlips: false),
        new("offset-commits", Small, MaxBatchRecords: 2, Commits: true, Faults: false, BitFlips: false),
        new("failed-writes", Small, MaxBatchRecords: 4, Commits: true, Faults: true, BitFlips: false),
        new("bit-flips", Small, MaxBatchRecords: 4, Commits: false, Faults: false, BitFlips: true),
    ];
}
