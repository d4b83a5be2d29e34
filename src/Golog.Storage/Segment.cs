using System.Buffers;
using Serilog;

namespace Golog.Storage;

/// <summary>
/// One segment of a partition: a .log file of RecordBatch v2 batches starting at <see cref="BaseOffset"/>, and its
/// sparse <see cref="OffsetIndex"/>. Appends are encoded into a pending buffer and written with one positional write
/// per <see cref="WritePending"/>; <see cref="Sync"/> may run on another thread while the owner appends.
/// Otherwise not thread-safe: the owning partition serialises all calls.
/// </summary>
public sealed class Segment : IDisposable
{
    private readonly LogConfig _config;
    private readonly IFileSystem _files;
    private readonly string _logPath;
    private readonly IStorageFile _file;
    private OffsetIndex? _index;          // null until first needed, for closed segments loaded from disk
    private long _bytesSinceIndexEntry;
    // rented while batches wait for their write, returned once written: an idle partition holds no buffer (with
    // thousands of partitions, a buffer kept per partition was most of the broker's memory)
    private byte[] _pending = [];
    private int _pendingLength;
    private int _pendingRecords;
    // Bytes the file holds: WrittenSize, plus the zeros preallocated after it (see LogConfig.PreallocateBytes).
    private long _fileLength;
    private long _corruptFrom = long.MaxValue; // first byte of a damaged region found by an index rebuild or a read
    private bool _indexFromFile;               // _index was loaded from the .index file and not checked against the log
    private volatile bool _deleted;            // read by the sync thread, which may still hold this segment after retention
    // Whether the file may hold changes no fsync of this process covered: set by the owner after each change to the
    // file (after: a sync that cleared it meanwhile is followed by another), cleared by Sync just before its fsync.
    // Unknown at open, so set, unless a clean close left the file (its fsync did).
    private volatile bool _unsynced = true;
    // The sync thread writes a rolled segment's .index file while the owner may truncate or delete the segment: the
    // lock orders the two, and a truncation bumps the version so that an index of the old content is never written.
    private readonly Lock _indexFileLock = new();
    private int _indexVersion; // lock: _indexFileLock

    private Segment(IFileSystem files, string dir, long baseOffset, LogConfig config, FileMode mode)
    {
        _config = config;
        _files = files;
        BaseOffset = baseOffset;
        _logPath = Path.Combine(dir, StorageLayout.SegmentFileName(baseOffset) + StorageLayout.LogSuffix);
        IndexPath = Path.ChangeExtension(_logPath, StorageLayout.IndexSuffix);
        _file = files.Open(_logPath, mode);
        _fileLength = WrittenSize = _file.Length;
        NextOffset = baseOffset;
    }

    public long BaseOffset { get; }
    /// <summary>Offset after the last batch appended (including batches not yet written to the file).</summary>
    public long NextOffset { get; private set; }
    /// <summary>Bytes of batches in the file (preallocated zeros after them not counted).</summary>
    public long WrittenSize { get; private set; }
    public long Size => WrittenSize + _pendingLength;
    public long MessageCount => NextOffset - BaseOffset;
    /// <summary>When the segment first received a batch in this process (for age-based rolling); null if never.</summary>
    public DateTime? FirstAppendUtc { get; private set; }
    internal string IndexPath { get; }
    public string LogPath => _logPath;
    /// <summary>Whether <see cref="OpenActive"/> trusted the index a clean close left (no scan): the files are as that close left them.</summary>
    public bool OpenedFromIndex { get; private set; }

    public static Segment Create(IFileSystem files, string dir, long baseOffset, LogConfig config)
    {
        var segment = new Segment(files, dir, baseOffset, config, FileMode.CreateNew) { _index = new OffsetIndex() };
        files.Delete(segment.IndexPath); // a stale index from a deleted predecessor must not be trusted
        return segment;
    }

    /// <summary>Opens a closed segment; its end is the next segment's base, and its index is loaded on first read.</summary>
    public static Segment OpenClosed(IFileSystem files, string dir, long baseOffset, long nextOffset, LogConfig config) =>
        new(files, dir, baseOffset, config, FileMode.Open) { NextOffset = nextOffset };

    /// <summary>
    /// Opens a closed segment that has no .index file: it was rolled, but its seal (log fsync, then index) may not
    /// have run before a crash, so its tail may be lost. Every batch is CRC-checked. Whole up to
    /// <paramref name="nextOffset"/>: sealed now. Torn (the file ends inside a batch or in zeros, its last batch fails its
    /// CRC with only zeros after it, or a clean end short of <paramref name="nextOffset"/>): cut to its last whole batch, and <paramref name="torn"/> tells the
    /// caller that it is the log's end now (no later record can have been acknowledged: acks wait for the seal).
    /// With <paramref name="inUnsealedTail"/> (no later closed segment is sealed either, so no seal ran after this
    /// roll) a hole of zeros followed by batches counts as torn too: writeback may reach the disk in any order, so a
    /// crash can keep a later write and lose an earlier one, and nothing past the durable part was acknowledged
    /// (found by the power-loss simulation). Damaged anywhere else (a bad batch with data after it in a segment a sealed one follows, or an index an
    /// operator removed): left as it is, so reads serve what is before the damage and fail from it, as for any closed segment.
    /// </summary>
    internal static Segment OpenUnsealed(IFileSystem files, string dir, long baseOffset, long nextOffset, LogConfig config, bool inUnsealedTail,
        ILogger log, out bool torn)
    {
        var segment = new Segment(files, dir, baseOffset, config, FileMode.Open);
        var scan = segment.Scan();
        // whole, or whole but for the zeros preallocated after it, whose cut at the roll did not reach the disk
        bool whole = scan.NextOffset == nextOffset && (scan.ValidBytes == segment.WrittenSize || segment.OnlyZerosFrom(scan.ValidBytes));
        torn = !whole && (scan.ValidBytes == segment.WrittenSize ? scan.NextOffset < nextOffset : segment.EndsTorn(scan.ValidBytes, inUnsealedTail));
        if (torn)
        {
            segment.AdoptScan(scan);
            if (scan.ValidBytes < segment.WrittenSize) segment.CutTo(scan, log);
        }
        else if (whole)
        {
            segment.AdoptScan(scan);
            // sealing now only saves the next open this scan: a full disk must not keep the partition from opening
            try
            {
                // set even when the file already ends there: after the roll's seal failed its fsync, the cut of the
                // zeros can be what readers see and still never reach the disk (Linux drops what a failed fsync
                // covered), so the seal's fsync must cover a cut of its own (found by the power-loss simulation)
                segment.WrittenSize = scan.ValidBytes; // first: if the cut fails, reads still stop at the batches' end
                segment.CutKeepingWriteTime(scan.ValidBytes);
                segment.Seal();
            }
            catch (IOException e) { log.Warning("Could not seal {Segment} ({Reason}); the next start scans it again", segment._logPath, e.Message); }
        }
        else
        {
            segment.NextOffset = nextOffset;
            log.Error("Closed segment {Segment} has no index and is damaged from byte {Position} of {Size}; reads past it fail with storage_error",
                segment._logPath, scan.ValidBytes, segment.WrittenSize);
        }
        return segment;
    }

    /// <summary>
    /// Whether the bytes from <paramref name="validEnd"/> look like a write cut short: a batch running past the end,
    /// a bad batch (or a header of zeros) with only zeros after it (a write torn inside the zeros preallocation left:
    /// they end the batches where a short file would have), or (<paramref name="holeIsTorn"/>) a hole of zeros where
    /// a whole batch header should be, whatever follows.
    /// </summary>
    private bool EndsTorn(long validEnd, bool holeIsTorn)
    {
        var rest = new byte[WrittenSize - validEnd];
        rest = rest[..Read(validEnd, rest)];
        if (holeIsTorn && rest.Length >= RecordBatchLayout.HeaderSize && !rest.AsSpan(0, RecordBatchLayout.HeaderSize).ContainsAnyExcept((byte)0)) return true;
        var status = RecordBatchReader.TryReadHeader(rest, _config.MaxBatchBytes, out var info);
        if (status == BatchStatus.Incomplete) return rest.Length < RecordBatchLayout.HeaderSize || info.Size > rest.Length;
        // the scan stopped at this batch, so its header (zeros read as a bad one too) or its CRC is bad: torn if the
        // zeros begin inside it (found by the power-loss simulation: a write that failed part way, then the crash,
        // left a batch's first bytes before them)
        int end = status == BatchStatus.Ok ? info.Size : RecordBatchLayout.HeaderSize;
        return !rest.AsSpan(end).ContainsAnyExcept((byte)0);
    }

    /// <summary>
    /// Whether a sealed segment's batches end exactly at the file's end and at <paramref name="nextOffset"/> (the next
    /// segment's base). Cheap: only the last .index entry is read, and the batch headers from there walked (about
    /// one index interval of bytes), so a start with many segments stays quick.
    /// </summary>
    internal bool EndsAt(long nextOffset)
    {
        long from = 0, expected = BaseOffset;
        using (var index = _files.Open(IndexPath, FileMode.Open))
        {
            long length = index.Length;
            if (length % 8 != 0) return false;
            if (length > 0)
            {
                Span<byte> entry = stackalloc byte[8];
                if (index.Read(entry, length - 8) != 8) return false;
                expected = BaseOffset + System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(entry);
                from = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(entry[4..]);
                if (from < 0 || from >= WrittenSize) return false;
            }
        }
        var scan = Scan(from, expected, verifyCrc: false);
        return scan.ValidBytes == WrittenSize && scan.NextOffset == nextOffset;
    }

    /// <summary>
    /// Opens the active (last) segment. After a clean shutdown its index is trusted and only the bytes after the
    /// last index entry are walked; otherwise every batch is CRC-checked and a torn or corrupt tail is cut off.
    /// </summary>
    public static Segment OpenActive(IFileSystem files, string dir, long baseOffset, LogConfig config, bool cleanShutdown, ILogger log)
    {
        var segment = new Segment(files, dir, baseOffset, config, FileMode.Open);
        if (cleanShutdown && segment.TryLoadTailFromIndex())
        {
            segment.OpenedFromIndex = true;
            segment._unsynced = false; // the clean close fsync'd it
        }
        else segment.Recover(log);
        return segment;
    }

    /// <summary>Reserves room for one batch in the pending buffer; complete it with <see cref="CompleteBatch"/>.</summary>
    public Span<byte> ReserveBatch(int size)
    {
        if (_pending.Length - _pendingLength < size)
        {
            var larger = ArrayPool<byte>.Shared.Rent(Math.Max(_pendingLength + size, Math.Max(64 * 1024, _pending.Length * 2)));
            _pending.AsSpan(0, _pendingLength).CopyTo(larger);
            ReturnPending();
            _pending = larger;
        }
        return _pending.AsSpan(_pendingLength, size);
    }

    private void ReturnPending()
    {
        if (_pending.Length > 0) ArrayPool<byte>.Shared.Return(_pending);
        _pending = [];
    }

    public void CompleteBatch(int size, int recordCount)
    {
        AddToIndex(NextOffset, WrittenSize + _pendingLength, size);
        _pendingLength += size;
        _pendingRecords += recordCount;
        NextOffset += recordCount;
        FirstAppendUtc ??= DateTime.UtcNow;
    }

    /// <summary>Writes every pending batch with one positional write. The bytes are in the page cache, not yet durable.</summary>
    public void WritePending()
    {
        if (_pendingLength == 0) return;
        long end = WrittenSize + _pendingLength;
        try
        {
            _file.Write(_pending.AsSpan(0, _pendingLength), WrittenSize);
            if (end > _fileLength) Preallocate(end);
        }
        finally { _unsynced = true; }
        WrittenSize = end;
        _pendingLength = 0;
        _pendingRecords = 0;
        ReturnPending();
    }

    /// <summary>
    /// Drops every batch from the first one whose last offset is at or past <paramref name="offset"/> (below
    /// <see cref="NextOffset"/>), pending or written, so a batch is never split: the segment then ends at that
    /// batch's base offset, which is <paramref name="offset"/> itself when it is a batch boundary. A cut into the file
    /// is fsync'd and the .index file is removed (its presence says "sealed"): the caller fsyncs the directory.
    /// </summary>
    public void TruncateTo(long offset)
    {
        long pendingBase = NextOffset - _pendingRecords;
        if (offset >= pendingBase)
        {
            CutPending(offset, pendingBase);
            return;
        }
        long position = FindBatchPosition(offset, WrittenSize);
        if (position < 0) throw Corrupt(WrittenSize); // every offset below the written end lies in a written batch
        Span<byte> header = stackalloc byte[RecordBatchLayout.HeaderSize];
        RecordBatchReader.TryReadHeader(header[..Read(position, header)], _config.MaxBatchBytes, out var cut);
        RemoveIndexFile();
        SetFileLength(position); // first: if it fails, the segment's bookkeeping still matches the file
        _pendingLength = 0;
        _pendingRecords = 0;
        WrittenSize = position;
        NextOffset = cut.BaseOffset;
        TruncateIndex(position);
        Sync();
    }

    /// <summary>
    /// Writes zeros after <paramref name="end"/>, the new end of the batches, so the next writes overwrite blocks
    /// that are already allocated and a file whose size stays put (see <see cref="LogConfig.PreallocateBytes"/>). The
    /// step is as large as the segment already is, up to the configured maximum, rounded up to whole 4 KiB pages (so
    /// a small partition's file is one page), and the zeros stop at segment.bytes, where the segment rolls. Only an
    /// optimisation: when the disk is full, the file just ends at <paramref name="end"/>, and the next write meets the
    /// error itself.
    /// </summary>
    private void Preallocate(long end)
    {
        const int Page = 4096;
        long target = end;
        if (_config.PreallocateBytes > 0)
        {
            long step = Math.Min(end, _config.PreallocateBytes);
            target = Math.Max(end, Math.Min((end + step + Page - 1) / Page * Page, _config.SegmentBytes));
        }
        // counted before the zeros are written: a write that fails part way may leave some, and a roll must cut them
        _fileLength = target;
        try
        {
            for (long p = end; p < target; p += Zeros.Length)
                _file.Write(Zeros.AsSpan(0, (int)Math.Min(Zeros.Length, target - p)), p);
        }
        catch (IOException)
        {
            // a part written stays zeros, which recovery takes for the end, and _fileLength still covers it
            try { SetFileLength(end); } catch (IOException) { }
        }
    }

    private static readonly byte[] Zeros = new byte[1024 * 1024];

    /// <summary>
    /// Cuts the preallocated zeros off the file, at a roll (a closed segment ends where its batches do, as every
    /// reader of closed segments expects) and at a clean close (the next open finds the end without a scan).
    /// </summary>
    internal void TrimPreallocation()
    {
        if (_fileLength > WrittenSize) CutKeepingWriteTime(WrittenSize);
    }

    /// <summary>
    /// Sets the file's length without moving its modification time (ftruncate moves it): a cut of zeros is no write
    /// of batches, and time retention reads that time, so an idle segment that retention rolls, or one a restart
    /// re-cuts, must keep its age.
    /// </summary>
    private void CutKeepingWriteTime(long length)
    {
        var lastWrite = LastWriteUtc;
        SetFileLength(length);
        _files.SetLastWriteUtc(_logPath, lastWrite);
    }

    private void CutPending(long offset, long pendingBase)
    {
        int p = 0;
        long next = pendingBase;
        while (p < _pendingLength)
        {
            RecordBatchReader.TryReadHeader(_pending.AsSpan(p, _pendingLength - p), int.MaxValue, out var batch);
            if (batch.LastOffset >= offset) break;
            p += batch.Size;
            next = batch.NextOffset;
        }
        _pendingRecords -= (int)(NextOffset - next);
        _pendingLength = p;
        NextOffset = next;
        TruncateIndex(WrittenSize + p);
        // a write that failed part way left some pending bytes in the file (or zeros past them): later writes might
        // not cover them all. The cut is fsync'd, as every cut into the file: otherwise a power loss could keep those
        // bytes and lose the writes that replaced them, leaving a batch's first bytes in a segment rolled since
        // (found by the power-loss simulation)
        if (_file.Length > WrittenSize)
        {
            CutKeepingWriteTime(WrittenSize);
            Sync();
        }
    }

    private void SetFileLength(long length)
    {
        try { _file.SetLength(length); }
        finally { _unsynced = true; }
        _fileLength = length;
    }

    private void TruncateIndex(long end)
    {
        var index = EnsureIndex();
        index.TruncateAfterPosition(end);
        _bytesSinceIndexEntry = index.Count == 0 ? 0 : end - index.LastPosition;
    }

    /// <summary>When the .log file was last written; a closed segment is never written after its roll.</summary>
    public DateTime LastWriteUtc => _files.LastWriteUtc(_logPath);

    /// <summary>
    /// fsync of the log file, unless nothing changed in it since the last one (a close after the last ack's sync, a
    /// log reopened after a clean close: with thousands of partitions, those fsyncs were most of a clean stop). Safe
    /// to call from another thread while the owner appends. A sync queued before the segment was rolled can run after
    /// retention deleted it: a deleted segment has nothing left to make durable.
    /// </summary>
    public void Sync()
    {
        if (_deleted || !_unsynced) return;
        _unsynced = false;
        try { _file.Sync(); }
        catch (ObjectDisposedException) when (_deleted) { } // deleted between the check and the call
        catch
        {
            _unsynced = true; // not known to be durable: the next sync tries again
            throw;
        }
    }

    /// <summary>Closes the segment for writing on this thread: writes and fsyncs it, then persists its index (see <see cref="PendingSeal"/>).</summary>
    public void Seal()
    {
        WritePending();
        TrimPreallocation();
        PrepareSeal().Run();
    }

    /// <summary>
    /// <see cref="Seal"/> of the active segment at a clean close: the log is fsync'd, its index written but not
    /// fsync'd. The index only caches what the durable log says, and the next open checks it against the log's tail
    /// (one a power loss emptied or lost means a scan, as after a crash); with thousands of partitions, that fsync
    /// was most of a clean stop. A later roll seals the segment again, durably, before another follows it.
    /// </summary>
    internal void SealAtClose()
    {
        WritePending();
        TrimPreallocation();
        Sync();
        lock (_indexFileLock) _files.WriteAllBytes(IndexPath, EnsureIndex().Serialize(), sync: false);
    }

    /// <summary>
    /// The work that closes this (written) segment for good, to run on a sync thread; the index is copied now, and
    /// <paramref name="snapshot"/> (the producer state at the segment's end) is written after it.
    /// </summary>
    internal PendingSeal PrepareSeal(PendingSnapshot? snapshot = null)
    {
        lock (_indexFileLock) return new PendingSeal(this, EnsureIndex().Serialize(), _indexVersion, snapshot);
    }

    /// <summary>Whether the segment was sealed: its .index file is written only after its log's fsync.</summary>
    public static bool IsSealed(IFileSystem files, string dir, long baseOffset) =>
        files.FileExists(Path.Combine(dir, StorageLayout.SegmentFileName(baseOffset) + StorageLayout.IndexSuffix));

    /// <summary>
    /// Removes the .index file of a segment that becomes the active one (left by a clean shutdown, or a truncation
    /// into a sealed segment): an active segment must not look sealed to a later open. Returns whether one existed.
    /// </summary>
    internal bool RemoveIndexFile()
    {
        lock (_indexFileLock)
        {
            _indexVersion++;
            if (!_files.FileExists(IndexPath)) return false;
            _files.Delete(IndexPath);
            return true;
        }
    }

    /// <summary>
    /// Writes the .index file, then runs <paramref name="andThen"/>, unless the segment was truncated or deleted since
    /// <paramref name="version"/>: what describes the segment's old content must not appear after it changed.
    /// </summary>
    internal void WriteIndexFile(byte[] index, int version, Action? andThen = null)
    {
        lock (_indexFileLock)
        {
            if (_deleted || version != _indexVersion) return;
            _files.WriteAllBytes(IndexPath, index);
            andThen?.Invoke();
        }
    }

    public int Read(long position, Span<byte> destination) => _file.Read(destination, position);

    /// <summary>
    /// Hands <paramref name="visit"/> the header of every batch from the one holding <paramref name="fromOffset"/>
    /// (the first, when that lies before the segment), written or pending. Reads the file in large chunks and skips
    /// what lies between headers, so a segment of small batches costs a few reads, not one per batch. Stops at a
    /// damaged header: reads fail from there on anyway.
    /// </summary>
    internal void WalkBatchHeaders(long fromOffset, Action<ReadOnlySpan<byte>> visit)
    {
        const int H = RecordBatchLayout.HeaderSize;
        long position = fromOffset <= BaseOffset ? 0 : FindBatchPosition(fromOffset, WrittenSize);
        var buffer = new byte[Math.Min(1024 * 1024, Math.Max(H, WrittenSize))];
        long bufferStart = 0;
        int buffered = 0;
        while (position >= 0 && position < WrittenSize)
        {
            if (position < bufferStart || position + H > bufferStart + buffered)
            {
                bufferStart = position;
                buffered = Read(position, buffer);
                if (buffered < H) return; // a header cut short: the end of what was written whole
            }
            var header = buffer.AsSpan((int)(position - bufferStart), H);
            if (RecordBatchReader.TryReadHeader(header, _config.MaxBatchBytes, out var info) == BatchStatus.Corrupt) return;
            visit(header);
            position += info.Size;
        }
        for (int p = 0; p < _pendingLength;)
        {
            RecordBatchReader.TryReadHeader(_pending.AsSpan(p, _pendingLength - p), int.MaxValue, out var info);
            if (info.NextOffset > fromOffset) visit(_pending.AsSpan(p, H));
            p += info.Size;
        }
    }

    /// <summary>
    /// Byte position of the batch holding <paramref name="offset"/>, reading at most up to <paramref name="limit"/>;
    /// -1 if it is not below the limit.
    /// </summary>
    public long FindBatchPosition(long offset, long limit)
    {
        var index = EnsureIndex();
        try { return WalkToBatch(index, offset, limit); }
        catch (CorruptLogException) when (_indexFromFile)
        {
            // The .index file is only a cache: a bad header where it pointed may mean a stale or damaged index rather
            // than a damaged log. Rebuild it from the log (which also finds real damage) and look again.
            return WalkToBatch(RebuildIndex(), offset, limit);
        }
    }

    private long WalkToBatch(OffsetIndex index, long offset, long limit)
    {
        long position = index.Lookup((int)(offset - BaseOffset));
        Span<byte> header = stackalloc byte[RecordBatchLayout.HeaderSize];
        while (position < limit)
        {
            if (position >= _corruptFrom) throw Corrupt(position);
            int n = Read(position, header);
            var status = RecordBatchReader.TryReadHeader(header[..n], _config.MaxBatchBytes, out var info);
            // walking from an indexed batch at or before the offset, the one holding it cannot start after it: if it
            // does, the index misled us (an offset below this segment is a read moving on from the one before)
            if (status == BatchStatus.Corrupt || (status == BatchStatus.Incomplete && n < header.Length)
                || (offset >= BaseOffset && info.BaseOffset > offset))
                throw Corrupt(position);
            if (info.LastOffset >= offset) return position;
            position += info.Size;
        }
        return -1;
    }

    /// <summary>Where reads must stop: the end of the file, or the start of a damaged region.</summary>
    public long ReadableEnd(long limit) => Math.Min(limit, _corruptFrom);

    /// <summary>
    /// How much of <paramref name="bytes"/>, read at <paramref name="position"/> from a region readable up to
    /// <paramref name="limit"/>, may be served: whole batches whose CRC matches, plus a last batch cut short by the
    /// caller's byte limit. Finding a batch only walks headers and closed segments are not scanned at startup, so
    /// this is where damage there is caught; it is remembered, and reads from it on fail.
    /// </summary>
    public int ServablePrefix(long position, ReadOnlySpan<byte> bytes, long limit)
    {
        int p = 0;
        while (p < bytes.Length)
        {
            var status = RecordBatchReader.Validate(bytes[p..], _config.MaxBatchBytes, out var info);
            if (status == BatchStatus.Ok) { p += info.Size; continue; }
            bool cutByCaller = status == BatchStatus.Incomplete && p > 0 && (info.Size == 0 || position + p + info.Size <= limit);
            if (cutByCaller) return bytes.Length;
            _corruptFrom = Math.Min(_corruptFrom, position + p);
            Log.Error("Segment {Segment} is damaged from byte {Position}: CRC or framing check failed on read; reads past it fail with storage_error",
                _logPath, position + p);
            break;
        }
        return p;
    }

    public CorruptLogException Corrupt(long position) =>
        new($"segment {_logPath} is damaged at byte {position}; data from there on is not served");

    public void Dispose() => _file.Dispose();

    /// <summary>
    /// Closes and unlinks the files. The owner serialises reads with this, and reads copy bytes out, so no read
    /// can use the handle after it; a sync in flight on the sync thread keeps the handle alive until it returns
    /// (SafeHandle reference counting), and on Linux an unlinked file stays readable through an open handle anyway.
    /// </summary>
    public void Delete()
    {
        lock (_indexFileLock) // a seal on the sync thread writes the index now or never
        {
            _deleted = true;
            _file.Dispose();
            // index first: a crash in between leaves a .log whose index is rebuilt, never an .index nothing ever removes
            _files.Delete(IndexPath);
            _files.Delete(_logPath);
        }
    }

    private void AddToIndex(long offset, long position, int size)
    {
        var index = _index ??= new OffsetIndex();
        if (index.Count == 0 || _bytesSinceIndexEntry >= _config.IndexIntervalBytes)
        {
            index.Add((int)(offset - BaseOffset), (int)position);
            _bytesSinceIndexEntry = 0;
        }
        _bytesSinceIndexEntry += size;
    }

    private OffsetIndex EnsureIndex()
    {
        if (_index is not null) return _index;
        if (_files.FileExists(IndexPath))
            _index = OffsetIndex.TryParse(_files.ReadAllBytes(IndexPath), WrittenSize);
        _indexFromFile = _index is not null;
        return _index ?? RebuildIndex();
    }

    private OffsetIndex RebuildIndex()
    {
        Log.Warning("Rebuilding index {IndexFile}: missing or inconsistent with its log", IndexPath);
        var scan = Scan();
        _index = scan.Index;
        _indexFromFile = false;
        if (scan.ValidBytes < WrittenSize)
        {
            _corruptFrom = Math.Min(_corruptFrom, scan.ValidBytes);
            Log.Error("Closed segment {Segment} is damaged from byte {Position} of {Size}; reads past it fail with storage_error",
                _logPath, scan.ValidBytes, WrittenSize);
        }
        else SaveRebuiltIndex(_index);
        return _index;
    }

    /// <summary>The .index file only caches what the log says: failing to save it (disk full) must cost a rebuild later, never a read now.</summary>
    private void SaveRebuiltIndex(OffsetIndex index)
    {
        try { _files.WriteAllBytes(IndexPath, index.Serialize(), sync: false); }
        catch (IOException e)
        {
            Log.Warning("Could not save rebuilt index {IndexFile} ({Reason}); using it from memory", IndexPath, e.Message);
            try { _files.Delete(IndexPath); } catch (IOException) { } // a half-written file would only be rebuilt again
        }
    }

    private bool TryLoadTailFromIndex()
    {
        if (!_files.FileExists(IndexPath)) return false;
        var index = OffsetIndex.TryParse(_files.ReadAllBytes(IndexPath), WrittenSize);
        if (index is null) return false;
        long from = index.LastPosition;
        Span<byte> header = stackalloc byte[RecordBatchLayout.HeaderSize];
        long expected = BaseOffset;
        if (index.Count > 0)
        {
            if (RecordBatchReader.TryReadHeader(header[..Read(from, header)], _config.MaxBatchBytes, out var first) == BatchStatus.Corrupt)
                return false;
            expected = first.BaseOffset;
        }
        var scan = Scan(from, expected, verifyCrc: false);
        if (scan.ValidBytes != WrittenSize) return false;
        _index = index;
        _bytesSinceIndexEntry = scan.BytesSinceEntry;
        NextOffset = scan.NextOffset;
        return true;
    }

    private void Recover(ILogger log)
    {
        var scan = Scan();
        AdoptScan(scan);
        if (scan.ValidBytes == WrittenSize) return;
        // zeros after the last batch are what preallocation wrote ahead (or a write whose data never reached the disk):
        // nothing can be mistaken for a batch there, so they stay, as preallocation, and the open needs no fsync
        if (OnlyZerosFrom(scan.ValidBytes)) WrittenSize = scan.ValidBytes;
        else CutTo(scan, log);
    }

    private bool OnlyZerosFrom(long position) => ZeroTail.From(_file.Read, position, WrittenSize);

    private void AdoptScan(ScanResult scan)
    {
        _index = scan.Index;
        _bytesSinceIndexEntry = scan.BytesSinceEntry;
        NextOffset = scan.NextOffset;
    }

    private void CutTo(ScanResult scan, ILogger log)
    {
        log.Warning("Recovery truncated {Segment}: dropped {Bytes} bytes after the last valid batch at byte {Position} (next offset {NextOffset})",
            _logPath, WrittenSize - scan.ValidBytes, scan.ValidBytes, NextOffset);
        SetFileLength(scan.ValidBytes);
        Sync();
        WrittenSize = scan.ValidBytes;
    }

    private readonly record struct ScanResult(long ValidBytes, long NextOffset, OffsetIndex Index, long BytesSinceEntry);

    /// <summary>Walks batches from <paramref name="from"/>, stopping at the first that is torn, corrupt or out of sequence.</summary>
    private ScanResult Scan(long from = 0, long expectedOffset = -1, bool verifyCrc = true)
    {
        if (expectedOffset < 0) expectedOffset = BaseOffset;
        var index = new OffsetIndex();
        long sinceEntry = 0, position = from;
        var buffer = new byte[Math.Clamp(WrittenSize - from, RecordBatchLayout.HeaderSize, 1024 * 1024)]; // grown below for a larger batch
        int buffered = 0, consumed = 0;
        long bufferStart = from;
        while (true)
        {
            var available = buffer.AsSpan(consumed, buffered - consumed);
            var status = verifyCrc
                ? RecordBatchReader.Validate(available, _config.MaxBatchBytes, out var info)
                : RecordBatchReader.TryReadHeader(available, _config.MaxBatchBytes, out info);
            if (status == BatchStatus.Incomplete)
            {
                if (bufferStart + buffered >= WrittenSize) break; // torn tail (or clean end when nothing is left)
                available.CopyTo(buffer);
                bufferStart += consumed;
                buffered -= consumed;
                consumed = 0;
                int need = Math.Max(info.Size, RecordBatchLayout.HeaderSize);
                if (need > buffer.Length) Array.Resize(ref buffer, need);
                int n = Read(bufferStart + buffered, buffer.AsSpan(buffered));
                if (n == 0) break;
                buffered += n;
                continue;
            }
            if (status == BatchStatus.Corrupt || info.BaseOffset != expectedOffset) break;
            if (index.Count == 0 || sinceEntry >= _config.IndexIntervalBytes)
            {
                index.Add((int)(info.BaseOffset - BaseOffset), (int)position);
                sinceEntry = 0;
            }
            sinceEntry += info.Size;
            position += info.Size;
            consumed += info.Size;
            expectedOffset = info.NextOffset;
        }
        return new ScanResult(position, expectedOffset, index, sinceEntry);
    }
}
