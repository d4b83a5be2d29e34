namespace Golog.Storage;

/// <summary>
/// What closes a rolled segment for good, run by a <see cref="SyncJob"/> off the owner's thread: fsync the log,
/// then write its index. The order is the crash-safety rule: an .index file exists only for a segment whose log
/// was fsync'd, so at open a closed segment without one is CRC-scanned as if it were the active segment. The
/// producer snapshot taken at the roll follows the index, under the same guard: never for a truncated or deleted segment.
/// </summary>
internal readonly record struct PendingSeal(Segment Segment, byte[] Index, int IndexVersion, PendingSnapshot? Snapshot)
{
    public void Run()
    {
        Segment.Sync();
        Segment.WriteIndexFile(Index, IndexVersion, Snapshot is { } snapshot ? snapshot.Write : null);
    }
}
