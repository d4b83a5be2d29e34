using Serilog;

namespace Golog.Storage.Simulation;

/// <summary>
/// One seed of the power-loss simulation: a partition log (and, in some workloads, a group's offsets file) on a
/// <see cref="SimulatedDisk"/> is driven the way the broker drives it under flush.policy = always (append, write,
/// sync, only then acknowledge; after a failed write or fsync, cut back and re-read the disk), the power goes at a
/// random operation, and after each power cycle the recovered state is checked against everything acknowledged.
/// Everything random comes from the seed.
/// </summary>
public sealed class PowerLossRun
{
    private const string Root = "/sim";
    private static readonly string Dir = StorageLayout.PartitionDirectory(Root, "sim", 0);
    private static readonly string OffsetsFile = StorageLayout.GroupOffsetsFile(Root, "group");
    private static readonly TopicPartition Partition = new("sim", 0);
    private readonly long _seed;
    private readonly PowerLossWorkload _workload;
    private readonly PowerLossSummary _summary;
    private readonly Random _random;
    private readonly SimulatedDisk _disk;
    private readonly ILogger _log = Serilog.Core.Logger.None;
    // what a user was told is stored: offset → value (everything a recovery showed counts too: readers saw it)
    private readonly Dictionary<long, byte[]> _acked = [];
    private long _logStart; // acknowledged records below it went by retention
    private long _ackedCommit = -1;
    private long _nextCommit;

    public PowerLossRun(long seed, PowerLossWorkload workload, PowerLossSummary summary)
    {
        _seed = seed;
        _workload = workload;
        _summary = summary;
        _random = new Random(unchecked((int)seed ^ (int)(seed >> 32)));
        _disk = new SimulatedDisk(_random);
    }

    /// <summary>Runs <paramref name="crashes"/> cycles of work, power loss, recovery and check.</summary>
    public void Run(int crashes)
    {
        _disk.CreateDirectory(Root);
        for (int cycle = 0; cycle < crashes; cycle++)
        {
            _disk.CrashAt(_disk.Operations + 1 + _random.Next(120));
            if (_workload.Faults) _disk.Inject(_random.Next(3) switch
            {
                0 => DiskFault.WriteError,
                1 => DiskFault.DiskFull,
                _ => DiskFault.SyncError,
            }, _disk.Operations + _random.Next(100));
            try { Work(); }
            catch (PowerLostException) { }
            _disk.PowerCycle();
            _summary.CrashPoints++;
            if (!Check(cycle)) return; // later cycles would only repeat the first failure
        }
    }

    /// <summary>Appends, commits and reads until the power goes (or the partition had to stop after a fault).</summary>
    private void Work()
    {
        PartitionLog? log = null;
        OffsetStore? store = null;
        try
        {
            // a fault while opening leaves the partition (or group) unopenable until the next start, as in the broker
            log = PartitionLog.Open(Dir, _workload.Config, cleanShutdown: false, _log, _disk);
            store = _workload.Commits ? OffsetStore.Open(OffsetsFile, _log, _disk) : null;
            for (int step = 0; step < 10_000; step++)
            {
                int action = _random.Next(10);
                if (action < 6) log = AppendAndSync(log);
                else if (action < 8 && store is not null) Commit(store);
                else if (action < 9 && _workload.Config.Retention.DeletesAnything) ApplyRetention(log);
                else ReadBack(log);
                if (_logStart < log.LogStartOffset) _logStart = log.LogStartOffset;
            }
        }
        catch (IOException) { } // the cut or the reopen after a fault failed: the partition stops, as the broker's does
        finally
        {
            log?.Dispose();
            store?.Dispose();
        }
    }

    private PartitionLog AppendAndSync(PartitionLog log)
    {
        int count = 1 + _random.Next(_workload.MaxBatchRecords);
        var values = new ReadOnlyMemory<byte>[count];
        for (int i = 0; i < count; i++)
        {
            var value = new byte[1 + _random.Next(_random.Next(4) == 0 ? 1500 : 200)];
            _random.NextBytes(value);
            values[i] = value;
        }
        try
        {
            var (first, _) = log.Append(new RecordsToAppend(values), 1_700_000_000_000);
            var position = log.WritePending();
            log.TakeUnsynced().Run();
            log.MarkFlushed(position);
            log.AdvanceHighWatermark(position.NextOffset);
            for (int i = 0; i < count; i++) _acked[first + i] = values[i].ToArray();
            return log;
        }
        catch (IOException)
        {
            return log.ReopenAfterFailure();
        }
    }

    /// <summary>The log's retention, noting each segment's end before it goes: a crash mid-deletion may lose what was being deleted, nothing else.</summary>
    private void ApplyRetention(PartitionLog log)
    {
        var now = DateTime.UtcNow;
        log.DeleteOldSegments((segment, logBytes) =>
        {
            bool expired = log.Config.Retention.Expired(segment, logBytes, now);
            if (expired) _logStart = Math.Max(_logStart, segment.NextOffset);
            return expired;
        });
    }

    private void Commit(OffsetStore store)
    {
        long offset = _nextCommit++;
        try
        {
            store.Append(Partition, offset);
            long length = store.WritePending();
            store.Sync();
            store.MarkDurable(length);
            _ackedCommit = offset;
        }
        catch (IOException)
        {
            store.DiscardUndurable(); // what the group actor does; if this throws too, the work stops
        }
    }

    /// <summary>A consumer's read of an acknowledged offset: it gets the stored bytes, or (after a flipped bit) a refusal, never anything else.</summary>
    private void ReadBack(PartitionLog log)
    {
        if (log.HighWatermark <= log.LogStartOffset) return;
        long offset = log.LogStartOffset + _random.NextInt64(log.HighWatermark - log.LogStartOffset);
        if (_workload.BitFlips && _random.Next(2) == 0) _disk.Inject(DiskFault.BitFlipOnRead, _disk.Operations);
        try
        {
            var read = log.Read(offset, 1 + _random.Next(8 * 1024));
            Verify(read.Bytes, offset, "a read before the power loss");
        }
        catch (CorruptLogException) when (_workload.BitFlips) { _summary.FlipsRefused++; }
    }

    /// <summary>Checks bytes a reader was handed: whole batches that pass their CRC, holding the acknowledged values at their offsets, contiguous.</summary>
    private void Verify(ReadOnlySpan<byte> bytes, long from, string when)
    {
        int p = 0;
        long expected = -1;
        while (p < bytes.Length)
        {
            var status = RecordBatchReader.Validate(bytes[p..], int.MaxValue, out var info);
            if (status == BatchStatus.Incomplete && p > 0) return; // cut by the byte limit: the reader skips it
            if (status != BatchStatus.Ok)
            {
                _summary.CorruptServed++;
                _summary.Fail(_seed, $"{when}: a batch failing its CRC was served at byte {p} of a read from offset {from}");
                return;
            }
            foreach (var r in RecordBatchReader.Records(bytes.Slice(p, info.Size)))
            {
                if (expected >= 0 && r.Offset != expected)
                {
                    _summary.CorruptServed++;
                    _summary.Fail(_seed, $"{when}: offset {r.Offset} follows {expected - 1}");
                }
                expected = r.Offset + 1;
                if (_acked.TryGetValue(r.Offset, out var value) && !r.Value.SequenceEqual(value))
                {
                    _summary.CorruptServed++;
                    _summary.Fail(_seed, $"{when}: offset {r.Offset} served different bytes than were acknowledged");
                }
            }
            p += info.Size;
        }
    }

    /// <summary>Recovery on the post-crash disk, then every promise: acknowledged records there, nothing damaged served, commits not gone back, appends accepted.</summary>
    private bool Check(int cycle)
    {
        PartitionLog log;
        try { log = PartitionLog.Open(Dir, _workload.Config, cleanShutdown: false, _log, _disk); }
        catch (Exception e)
        {
            _summary.RecoveryFailures++;
            _summary.Fail(_seed, $"{_workload.Name} cycle {cycle}: recovery threw {e.GetType().Name}: {e.Message}");
            return false;
        }
        bool ok;
        using (log)
        {
            var survivors = ReadAll(log, cycle);
            ok = survivors is not null;
            if (survivors is not null)
            {
                ok &= CheckAcked(survivors, log.LogStartOffset, cycle);
                _acked.Clear();
                foreach (var (o, v) in survivors) _acked[o] = v; // readers may now have seen them: they must stay
                _logStart = log.LogStartOffset;
                ok &= AcceptsAppend(log, cycle);
            }
        }
        if (_workload.Commits) ok &= CheckCommits(cycle);
        return ok;
    }

    private Dictionary<long, byte[]>? ReadAll(PartitionLog log, int cycle)
    {
        var survivors = new Dictionary<long, byte[]>();
        long offset = log.LogStartOffset;
        while (offset < log.HighWatermark)
        {
            ReadResult read;
            try { read = log.Read(offset, 64 * 1024); }
            catch (IOException e)
            {
                _summary.RecoveryFailures++;
                _summary.Fail(_seed, $"{_workload.Name} cycle {cycle}: after recovery, offset {offset} (of {log.LogStartOffset}..{log.HighWatermark}) is unreadable: {e.Message}");
                return null;
            }
            Verify(read.Bytes, offset, $"cycle {cycle}: a read after recovery");
            long before = offset;
            int p = 0;
            while (p < read.Length && RecordBatchReader.Validate(read.Bytes[p..], int.MaxValue, out var info) == BatchStatus.Ok)
            {
                foreach (var r in RecordBatchReader.Records(read.Bytes.Slice(p, info.Size)))
                {
                    if (r.Offset != offset)
                    {
                        _summary.CorruptServed++;
                        _summary.Fail(_seed, $"{_workload.Name} cycle {cycle}: after recovery offset {r.Offset} came where {offset} was due");
                        return null;
                    }
                    survivors[r.Offset] = r.Value.ToArray();
                    offset++;
                }
                p += info.Size;
            }
            if (offset == before)
            {
                _summary.RecoveryFailures++;
                _summary.Fail(_seed, $"{_workload.Name} cycle {cycle}: after recovery, a read at offset {offset} below the high watermark {log.HighWatermark} returned nothing");
                return null;
            }
        }
        return survivors;
    }

    private bool CheckAcked(Dictionary<long, byte[]> survivors, long logStart, int cycle)
    {
        bool ok = true;
        foreach (var (offset, value) in _acked)
        {
            if (offset < _logStart && offset < logStart) continue; // deleted by retention before the crash
            _summary.AckedChecked++;
            if (survivors.TryGetValue(offset, out var found) && found.AsSpan().SequenceEqual(value)) continue;
            _summary.Lost++;
            if (ok) _summary.Fail(_seed, $"{_workload.Name} cycle {cycle}: acknowledged offset {offset} {(found is null ? "is gone" : "holds other bytes")} after the power loss (log now {logStart}..{logStart + survivors.Count})");
            ok = false;
        }
        return ok;
    }

    private bool AcceptsAppend(PartitionLog log, int cycle)
    {
        try
        {
            var value = new byte[] { 42 };
            var (first, _) = log.Append(new RecordsToAppend(new ReadOnlyMemory<byte>[] { value }), 1_700_000_000_000);
            var position = log.WritePending();
            log.TakeUnsynced().Run();
            log.MarkFlushed(position);
            log.AdvanceHighWatermark(position.NextOffset);
            _acked[first] = value;
            return true;
        }
        catch (Exception e)
        {
            _summary.RecoveryFailures++;
            _summary.Fail(_seed, $"{_workload.Name} cycle {cycle}: the recovered log refused an append: {e.GetType().Name}: {e.Message}");
            return false;
        }
    }

    private bool CheckCommits(int cycle)
    {
        OffsetStore store;
        try { store = OffsetStore.Open(OffsetsFile, _log, _disk); }
        catch (Exception e)
        {
            _summary.RecoveryFailures++;
            _summary.Fail(_seed, $"{_workload.Name} cycle {cycle}: the offsets file did not open: {e.GetType().Name}: {e.Message}");
            return false;
        }
        using (store)
        {
            if (_ackedCommit < 0) return true;
            _summary.AckedChecked++;
            long? committed = store.Get(Partition);
            if (committed is { } c && c >= _ackedCommit)
            {
                _ackedCommit = c; // a later commit that survived unacknowledged is what readers see from now on
                _nextCommit = Math.Max(_nextCommit, c + 1);
                return true;
            }
            _summary.Lost++;
            _summary.Fail(_seed, $"{_workload.Name} cycle {cycle}: committed offset went back from {_ackedCommit} to {(committed?.ToString() ?? "none")}");
            return false;
        }
    }
}
