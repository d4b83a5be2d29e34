namespace Golog.Storage;

/// <summary>
/// What closes a rolled segment for good, run by a <see cref="SyncJob"/> off the owner's thread: fsync the log,
/// then write its index. The order is the crash-safety rule: an .index file exists only for a segment whose log
/// was fsync'd, so at open a closed segment without one is CRC-scanned as if it were the active segment.
/// </summary>
internal readonly record struct PendingSeal(Segment Segment, byte[] Index, int IndexVersion)
{
    public void Run()
    {
        Segment.Sync();
        Segment.WriteIndexFile(Index, IndexVersion);
    }
}
