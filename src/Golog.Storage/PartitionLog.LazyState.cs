namespace Golog.Storage;

/// <summary>
/// The state a partition keeps beside its segments, the leader-epoch checkpoint and the producer state, is read from
/// disk on first use rather than at open: a broker with thousands of partitions opens each on its first request, most
/// are only read, and these reads (and the producer snapshots' directory listings) were most of an open's cost.
/// </summary>
public sealed partial class PartitionLog
{
    private LeaderEpochCache? _epochs;         // null until first used
    private ProducerStateTable? _producers;    // null until first used
    private readonly DateTime _openedUtc;       // producers idle for too long as of the open are forgotten when read
    // Opened after a clean close and not changed since: its files are what that close left, so closing writes nothing
    private bool _asLastClosed;

    /// <summary>
    /// Reads what was not read yet before the log changes (append, roll, truncation, retention), and from then on the
    /// log is no longer as the last clean close left it. Reading before any change means the state is read against
    /// the log exactly as it was opened (recovered after a crash, truncated): what an open that read it at once would
    /// have found.
    /// </summary>
    private void BeforeChange()
    {
        _ = Epochs;
        _ = ProducerState;
        _asLastClosed = false;
    }

    private LeaderEpochCache Epochs => _epochs ??= LoadEpochs();

    private LeaderEpochCache LoadEpochs()
    {
        var epochs = LeaderEpochCache.Load(_files, Directory);
        epochs.TruncateFromEnd(LogEndOffset); // epochs whose first batch did not survive a crash
        return epochs;
    }

    private ProducerStateTable ProducerState => _producers ??= LoadProducers();

    private ProducerStateTable LoadProducers()
    {
        var producers = ProducerStateLoader.Load(_files, Directory, _segments, _log);
        // state that is in memory now: rolls write the next snapshots, one per segment base; the one at the log end
        // stays while the log is as the last close left it (that close's snapshot, which a close now does not rewrite)
        long logEnd = LogEndOffset;
        ProducerSnapshot.Delete(_files, Directory, offset => offset != logEnd && !_segments.Exists(s => s.BaseOffset == offset));
        RemoveExpired(producers, _openedUtc);
        return producers;
    }
}
