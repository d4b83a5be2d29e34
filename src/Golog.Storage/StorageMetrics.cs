using System.Diagnostics.Metrics;

namespace Golog.Storage;

/// <summary>
/// The storage layer's instruments on the broker's meter (<see cref="Name"/>; every layer's instruments share it, so
/// <c>dotnet-counters monitor --counters Golog.Broker</c> and the HTTP door's /metrics see them all). Recording
/// costs next to nothing while nothing listens (the HTTP door off).
/// </summary>
public static class StorageMetrics
{
    /// <summary>The meter every Golog instrument is created on, in whichever layer it lives.</summary>
    public const string Name = "Golog.Broker";

    private static readonly Meter Meter = new(Name);

    /// <summary>One <see cref="SyncJob"/>: every fsync that makes a partition durable up to its last write (Prometheus: golog_fsync_duration_seconds).</summary>
    public static readonly Histogram<double> FsyncDuration = Meter.CreateHistogram<double>("golog.fsync.duration", "s",
        "Time one sync round (segment and directory fsyncs) of a partition took",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5] });

    /// <summary>A read, write, sync or open of a log that failed (golog_storage_errors_total).</summary>
    public static readonly Counter<long> Errors = Meter.CreateCounter<long>("golog.storage.errors", null,
        "Storage operations (write, fsync, read, open) that failed");
}
