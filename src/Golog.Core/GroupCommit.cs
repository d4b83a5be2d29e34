namespace Golog.Core;

/// <summary>
/// Which appends wait for which sync. Appends are encoded, then written together, then made durable by one sync
/// that covers every write before it; while a sync runs, new writes gather for the next one. So N requests waiting
/// in an actor's mailbox cost one write and one fsync. <typeparamref name="TPosition"/> is where a write ended in
/// the owner's file (a partition's log position, an offset file's length): a sync vouches for everything before it.
/// Plain bookkeeping, no I/O; not thread-safe (the owning actor serialises).
/// </summary>
public sealed class GroupCommit<TWaiter, TPosition> where TPosition : struct
{
    private List<TWaiter> _unwritten = [];
    private List<TWaiter> _written = [];
    private List<TWaiter> _syncing = [];
    private TPosition _writtenTo;
    private TPosition _syncingTo;

    public bool SyncInFlight { get; private set; }
    public bool HasUnwritten => _unwritten.Count > 0;
    public int Waiting => _unwritten.Count + _written.Count + _syncing.Count;

    public void Appended(TWaiter waiter) => _unwritten.Add(waiter);

    /// <summary>
    /// Everything appended so far is in the file up to <paramref name="position"/>. Returns those waiters; unless
    /// <paramref name="awaitSync"/> is false (flush policies that ack on write) they also wait for the next sync.
    /// </summary>
    public List<TWaiter> Written(TPosition position, bool awaitSync = true)
    {
        var moved = _unwritten;
        _unwritten = [];
        if (!awaitSync) return moved;
        _written.AddRange(moved);
        _writtenTo = position;
        return moved;
    }

    /// <summary>Starts a sync if none runs and writes wait for one; returns the position it will make durable.</summary>
    public bool TryStartSync(out TPosition target)
    {
        target = default;
        if (SyncInFlight || _written.Count == 0) return false;
        (_syncing, _written) = (_written, _syncing);
        _syncingTo = target = _writtenTo;
        SyncInFlight = true;
        return true;
    }

    /// <summary>The sync finished: its waiters are durable up to the returned position.</summary>
    public (List<TWaiter> Durable, TPosition Position) SyncCompleted()
    {
        var done = _syncing;
        _syncing = [];
        SyncInFlight = false;
        return (done, _syncingTo);
    }

    /// <summary>Every waiter: to fail them after a write or sync error, or to acknowledge them after a final synchronous flush.</summary>
    public List<TWaiter> TakeAll()
    {
        var all = new List<TWaiter>(Waiting);
        all.AddRange(_syncing);
        all.AddRange(_written);
        all.AddRange(_unwritten);
        _syncing = [];
        _written = [];
        _unwritten = [];
        return all;
    }

    /// <summary>After <see cref="TakeAll"/>, a sync still in flight completes into nothing: forget it.</summary>
    public void ForgetSync() => SyncInFlight = false;
}
