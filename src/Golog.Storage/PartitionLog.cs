using Serilog;

namespace Golog.Storage;

/// <summary>A point in the log: everything before <see cref="NextOffset"/> lies before <see cref="Position"/> of <see cref="Segment"/>.</summary>
public readonly record struct LogPosition(long NextOffset, Segment Segment, long Position);

/// <summary>Bytes read from one segment: whole batches (the last one possibly cut short by the byte limit).</summary>
public readonly record struct ReadResult(byte[] Buffer, int Length)
{
    public static readonly ReadResult Empty = new([], 0);
    public ReadOnlySpan<byte> Bytes => Buffer.AsSpan(0, Length);
}

/// <summary>
/// The log of one topic-partition: an ordered list of segments, the last one active. Appends are encoded into the
/// active segment's pending buffer, written by <see cref="WritePending"/>, and made durable by syncing the segments
/// from <see cref="TakeUnsynced"/> (which may run on another thread). Readers see only up to the high watermark the
/// owner sets with <see cref="Commit"/>, so unacknowledged bytes are never served. Not thread-safe otherwise.
/// </summary>
public sealed class PartitionLog : IDisposable
{
    private readonly List<Segment> _segments;
    private readonly List<Segment> _unsynced = [];
    private readonly ILogger _log;
    private LogPosition _committed;

    private PartitionLog(string directory, LogConfig config, List<Segment> segments, ILogger log)
    {
        Directory = directory;
        Config = config;
        _segments = segments;
        _log = log;
        _committed = new LogPosition(Active.NextOffset, Active, Active.WrittenSize);
    }

    public string Directory { get; }
    public LogConfig Config { get; }
    public Segment Active => _segments[^1];
    public IReadOnlyList<Segment> Segments => _segments;
    public long LogStartOffset => _segments[0].BaseOffset;
    /// <summary>Offset the next appended record will get.</summary>
    public long LogEndOffset => Active.NextOffset;
    /// <summary>Offset after the last acknowledged record: readers see everything below it.</summary>
    public long HighWatermark => _committed.NextOffset;
    public long SizeInBytes => _segments.Sum(s => s.Size);

    public static PartitionLog Open(string directory, LogConfig config, bool cleanShutdown, ILogger log)
    {
        System.IO.Directory.CreateDirectory(directory);
        var bases = StorageLayout.FindSegments(directory);
        var segments = new List<Segment>(Math.Max(bases.Count, 1));
        if (bases.Count == 0)
        {
            segments.Add(Segment.Create(directory, 0, config));
            StorageLayout.SyncDirectory(directory);
        }
        for (int i = 0; i < bases.Count; i++)
            segments.Add(i < bases.Count - 1
                ? Segment.OpenClosed(directory, bases[i], bases[i + 1], config)
                : Segment.OpenActive(directory, bases[i], config, cleanShutdown, log));
        return new PartitionLog(directory, config, segments, log);
    }

    /// <summary>Encodes one batch at the log end (rolling first if due). Returns its first and last offsets.</summary>
    public (long BaseOffset, long LastOffset) Append(in RecordsToAppend records, long timestampMs)
    {
        // A zero-record batch is invalid RecordBatch v2: recovery would take it for corruption and cut every later batch.
        if (records.Count == 0) throw new ArgumentException("a batch needs at least one record");
        int size = RecordBatchWriter.Measure(records);
        if (size > Config.MaxBatchBytes)
            throw new ArgumentException($"batch of {size} bytes exceeds the largest storable batch ({Config.MaxBatchBytes} bytes)");
        if (ShouldRoll(size)) Roll();
        var segment = Active;
        long baseOffset = segment.NextOffset;
        RecordBatchWriter.Write(segment.ReserveBatch(size), baseOffset, timestampMs, records);
        segment.CompleteBatch(size, records.Count);
        return (baseOffset, baseOffset + records.Count - 1);
    }

    /// <summary>Writes pending batches to the file; returns the position that a sync of <see cref="TakeUnsynced"/> makes durable.</summary>
    public LogPosition WritePending()
    {
        var segment = Active;
        segment.WritePending();
        if (_unsynced.Count == 0 || _unsynced[^1] != segment) _unsynced.Add(segment);
        return new LogPosition(segment.NextOffset, segment, segment.WrittenSize);
    }

    /// <summary>
    /// After a failed write or sync: drops everything past the high watermark (pending, written and unsynced bytes,
    /// and any segment rolled since), so nothing unacknowledged can surface later and the offsets are reused.
    /// </summary>
    public void TruncateToHighWatermark()
    {
        while (Active != _committed.Segment)
        {
            var dropped = Active;
            _segments.RemoveAt(_segments.Count - 1);
            dropped.Delete();
        }
        _unsynced.Clear();
        Active.TruncateTo(_committed.Position, _committed.NextOffset);
        _log.Warning("Discarded unacknowledged data in {Directory} after a storage failure; log end is back at offset {Offset}",
            Directory, _committed.NextOffset);
    }

    /// <summary>Segments written since the last call; sync each (any thread) to make the last <see cref="WritePending"/> durable.</summary>
    public Segment[] TakeUnsynced()
    {
        var taken = _unsynced.ToArray();
        _unsynced.Clear();
        return taken;
    }

    /// <summary>Moves the high watermark: what is below <paramref name="position"/> is now acknowledged and readable.</summary>
    public void Commit(LogPosition position)
    {
        if (position.NextOffset > _committed.NextOffset) _committed = position;
    }

    /// <summary>
    /// Reads whole batches starting with the one holding <paramref name="offset"/>, about <paramref name="maxBytes"/>
    /// (at least one batch, so a large batch never blocks a consumer), from one segment, never past the high watermark.
    /// </summary>
    public ReadResult Read(long offset, int maxBytes)
    {
        if (offset < LogStartOffset || offset >= HighWatermark) return ReadResult.Empty;
        int i = FindSegment(offset);
        for (; i < _segments.Count; i++)
        {
            var segment = _segments[i];
            long limit = segment == _committed.Segment ? _committed.Position : segment.WrittenSize;
            limit = segment.ReadableEnd(limit);
            long position = segment.FindBatchPosition(offset, limit);
            if (position < 0)
            {
                if (segment == _committed.Segment) return ReadResult.Empty;
                if (limit < segment.WrittenSize) throw segment.Corrupt(limit);
                continue; // offset lies in a later segment
            }
            Span<byte> header = stackalloc byte[RecordBatchLayout.HeaderSize];
            segment.Read(position, header);
            RecordBatchReader.TryReadHeader(header, Config.MaxBatchBytes, out var first);
            int length = (int)Math.Min(limit - position, Math.Max(maxBytes, first.Size));
            var buffer = GC.AllocateUninitializedArray<byte>(length);
            int read = segment.Read(position, buffer);
            // never serve damaged bytes: stop before the first batch that fails its CRC, and fail if that is the first
            int servable = segment.ServablePrefix(position, buffer.AsSpan(0, read), limit);
            if (servable == 0) throw segment.Corrupt(position);
            return new ReadResult(buffer, servable);
        }
        return ReadResult.Empty;
    }

    /// <summary>Deletes the oldest closed segments that <paramref name="expired"/> selects; never the active one.</summary>
    public int DeleteOldSegments(Func<Segment, long, bool> expired)
    {
        int deleted = 0;
        long remainingBytes = SizeInBytes;
        while (_segments.Count > 1 && !_unsynced.Contains(_segments[0]) && _committed.Segment != _segments[0]
               && expired(_segments[0], remainingBytes))
        {
            var segment = _segments[0];
            remainingBytes -= segment.Size;
            _segments.RemoveAt(0);
            segment.Delete();
            deleted++;
            _log.Information("Retention deleted segment {Segment}; log start offset is now {LogStartOffset}", segment.LogPath, LogStartOffset);
        }
        if (deleted > 0) StorageLayout.SyncDirectory(Directory); // the new log start survives a machine crash too
        return deleted;
    }

    /// <summary>
    /// Deletes the closed segments that <see cref="LogConfig.Retention"/> lets go, oldest first; the log start moves
    /// to the first one left. An idle active segment whose data is all past the age limit is rolled first, so that it
    /// can go too: rolls otherwise happen only on append, and an idle partition would keep its data forever (Kafka
    /// fixed the same surprise in KAFKA-15047).
    /// </summary>
    public int ApplyRetention(DateTime nowUtc)
    {
        var retention = Config.Retention;
        if (!retention.DeletesAnything) return 0;
        if (ActiveIsIdleAndExpired(retention, nowUtc))
        {
            Roll();
            _committed = new LogPosition(Active.NextOffset, Active, 0); // everything was acknowledged: the new segment starts at the high watermark
        }
        return DeleteOldSegments((segment, logBytes) => retention.Expired(segment, logBytes, nowUtc));
    }

    // Everything appended is acknowledged (nothing pending, written-but-unsynced or awaiting an ack) and old enough.
    private bool ActiveIsIdleAndExpired(RetentionPolicy retention, DateTime nowUtc) =>
        retention.MaxAge is { } maxAge && Active.MessageCount > 0
        && _committed.Segment == Active && _committed.Position == Active.Size
        && nowUtc - Active.LastWriteUtc > maxAge;

    /// <summary>Clean close: writes and syncs everything and persists the active index so the next start skips recovery.</summary>
    public void Close()
    {
        Active.Seal();
        foreach (var s in _segments) s.Dispose();
    }

    public void Dispose()
    {
        foreach (var s in _segments) s.Dispose();
    }

    private bool ShouldRoll(int batchSize)
    {
        var active = Active;
        if (active.MessageCount == 0) return false;
        return active.Size + batchSize > Config.SegmentBytes
               || active.MessageCount >= Config.SegmentMessages
               || (active.FirstAppendUtc is { } first && DateTime.UtcNow - first >= Config.SegmentAge);
    }

    private void Roll()
    {
        var old = Active;
        old.Seal(); // durable before the new segment exists: after a crash only the last segment needs a scan
        _unsynced.Remove(old);
        var next = Segment.Create(Directory, old.NextOffset, Config);
        _segments.Add(next); // before anything else can fail: an untracked file would make every later roll fail on "file exists"
        StorageLayout.SyncDirectory(Directory);
        _log.Information("Rolled segment {Segment} at offset {Offset}", next.LogPath, next.BaseOffset);
    }

    private int FindSegment(long offset)
    {
        int lo = 0, hi = _segments.Count - 1;
        while (lo < hi)
        {
            int mid = (lo + hi + 1) >>> 1;
            if (_segments[mid].BaseOffset <= offset) lo = mid; else hi = mid - 1;
        }
        return lo;
    }
}
