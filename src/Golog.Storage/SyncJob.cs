namespace Golog.Storage;

/// <summary>
/// One round of fsyncs that makes a partition's log durable up to its last <see cref="PartitionLog.WritePending"/>:
/// first the segments rolled since the last round are sealed (log fsync, then index file), then the segments
/// written to are fsync'd, then the partition directory, so that segment files created by a roll survive a machine
/// crash. Taken on the owner's thread with <see cref="PartitionLog.TakeUnsynced"/>; <see cref="Run"/> runs anywhere.
/// </summary>
public sealed class SyncJob
{
    private readonly PendingSeal[] _seals;
    private readonly Segment[] _segments;
    private readonly string? _directory;
    private readonly IFileSystem _files;

    internal SyncJob(PendingSeal[] seals, Segment[] segments, string? directory, IFileSystem files)
    {
        _files = files;
        _seals = seals;
        _segments = segments;
        _directory = directory;
    }

    /// <summary>The segments whose log this job fsyncs (seals included).</summary>
    internal IReadOnlyList<Segment> Segments => [.. _seals.Select(s => s.Segment), .. _segments];

    public bool IsEmpty => _seals.Length == 0 && _segments.Length == 0 && _directory is null;

    /// <summary>Runs every fsync; an IOException means the log is not durable past what an earlier job made durable.</summary>
    public void Run()
    {
        foreach (var seal in _seals) seal.Run();
        foreach (var segment in _segments) segment.Sync();
        if (_directory is not null) _files.SyncDirectory(_directory);
    }
}
