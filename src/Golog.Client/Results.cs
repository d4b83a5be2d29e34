using Golog.Protocol;

namespace Golog.Client;

/// <summary>Where a produced batch was stored: consecutive offsets BaseOffset..LastOffset of one partition.</summary>
public sealed record ProduceResult(string Topic, int Partition, long BaseOffset, long LastOffset);

/// <summary>
/// Records from one partition starting at the requested offset (possibly none, after a long poll timed out), with the
/// partition's bounds at the time of the fetch.
/// </summary>
public sealed record FetchResult(string Topic, int Partition, long HighWatermark, long LogStartOffset, IReadOnlyList<FetchedRecord> Records);
