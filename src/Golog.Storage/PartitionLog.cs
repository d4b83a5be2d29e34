using System.Buffers.Binary;
using Serilog;
using L = Golog.Storage.RecordBatchLayout;

namespace Golog.Storage;

/// <summary>
/// The log of one topic-partition: an ordered list of segments, the last one active. Appends are encoded (or copied,
/// for an already-encoded batch) into the active segment's pending buffer, written by <see cref="WritePending"/>,
/// and made durable by running the <see cref="SyncJob"/> from <see cref="TakeUnsynced"/> (on a sync thread).
/// Three positions are kept apart: <see cref="LogEndOffset"/> (appended), <see cref="FlushedOffset"/> (durable as the
/// owner's flush policy requires, set with <see cref="MarkFlushed"/>) and <see cref="HighWatermark"/> (acknowledged,
/// set with <see cref="AdvanceHighWatermark"/>); readers see only whole batches below the high watermark, so
/// unacknowledged bytes are never served. Not thread-safe otherwise: the owner serialises every call.
/// </summary>
public sealed partial class PartitionLog : IDisposable
{
    private readonly List<Segment> _segments;
    private readonly List<Segment> _unsynced = [];
    private readonly List<PendingSeal> _seals = [];
    private readonly IFileSystem _files;
    private readonly ILogger _log;
    private bool _directoryUnsynced;
    private LogPosition _flushed;
    private LogPosition _written; // end of what is in the file (flushed or not): followers copy up to here
    private long _highWatermark;
    // End of the last batch wholly below the high watermark: where reads stop (Kafka too serves whole batches only,
    // so a high watermark inside a batch, which replication can produce, holds that batch back until it passes it).
    private LogPosition _servableEnd;

    private PartitionLog(IFileSystem files, string directory, LogConfig config, List<Segment> segments, bool asLastClosed, ILogger log)
    {
        _files = files;
        Directory = directory;
        Config = config;
        _segments = segments;
        _asLastClosed = asLastClosed;
        _openedUtc = DateTime.UtcNow;
        _log = log;
        _flushed = _servableEnd = _written = new LogPosition(Active.NextOffset, Active, Active.WrittenSize);
        _highWatermark = Active.NextOffset;
    }

    public string Directory { get; }
    public LogConfig Config { get; }
    public Segment Active => _segments[^1];
    public IReadOnlyList<Segment> Segments => _segments;
    public long LogStartOffset => _segments[0].BaseOffset;
    /// <summary>Offset the next appended record will get.</summary>
    public long LogEndOffset => Active.NextOffset;
    /// <summary>Offset after the last record the owner marked flushed (<see cref="MarkFlushed"/>).</summary>
    public long FlushedOffset => _flushed.NextOffset;
    /// <summary>Offset after the last acknowledged record: readers see the whole batches below it.</summary>
    public long HighWatermark => _highWatermark;
    /// <summary>The leader-epoch checkpoint: each epoch with the offset its first batch got.</summary>
    public IReadOnlyList<EpochEntry> LeaderEpochs => Epochs.Entries;
    public long SizeInBytes => _segments.Sum(s => s.Size);

    /// <summary>Bytes appended but not yet written to the file (only the active segment has any: a roll writes the old one's).</summary>
    public long PendingBytes => Active.Size - Active.WrittenSize;
    /// <summary>
    /// Whether a rolled segment still waits for its seal in <see cref="TakeUnsynced"/>: due even where acks wait for
    /// no fsync, or its index file is never written and every restart would CRC-scan the segment.
    /// </summary>
    public bool SealsDue => _seals.Count > 0;

    /// <summary>
    /// Opens (or creates) the log in <paramref name="directory"/>. Sealed closed segments are trusted and read
    /// lazily; a closed segment without an index (rolled, seal not done before a crash) is CRC-scanned, and if its
    /// tail was torn the log ends there; the active segment is scanned unless the shutdown was clean. The leader-epoch
    /// checkpoint and the producer state are read on first use (see <see cref="BeforeChange"/>).
    /// </summary>
    public static PartitionLog Open(string directory, LogConfig config, bool cleanShutdown, ILogger log, IFileSystem? files = null)
    {
        files ??= DiskFileSystem.Instance;
        // the active segment keeps the .index file a clean close left (it is only read at a clean open): removing it
        // here would cost every partition a directory fsync to open; a roll removes it first (see Roll)
        var segments = OpenSegments(files, directory, config, cleanShutdown, log);
        return new PartitionLog(files, directory, config, segments, cleanShutdown && segments[^1].OpenedFromIndex, log);
    }

    private static List<Segment> OpenSegments(IFileSystem files, string directory, LogConfig config, bool cleanShutdown, ILogger log)
    {
        var bases = StorageLayout.FindSegments(files, directory);
        if (bases.Count == 0)
        {
            files.CreateDirectory(directory); // only here: a partition with segments has its directory (a mkdir per open was 3% of a first fetch)
            var first = Segment.Create(files, directory, 0, config);
            files.SyncDirectory(directory);
            return [first];
        }
        var segments = new List<Segment>(bases.Count);
        // from this closed segment on, none is sealed: no seal ran after their rolls, so a crash may have cut their writeback
        int unsealedTail = bases.Count - 1;
        while (unsealedTail > 0 && !Segment.IsSealed(files, directory, bases[unsealedTail - 1])) unsealedTail--;
        for (int i = 0; i < bases.Count - 1; i++)
        {
            if (Segment.IsSealed(files, directory, bases[i]))
            {
                var closed = Segment.OpenClosed(files, directory, bases[i], bases[i + 1], config);
                if (closed.EndsAt(bases[i + 1]))
                {
                    segments.Add(closed);
                    continue;
                }
                // Whole, but the next segment does not start where it ends: the file of the segment rolled in between
                // was lost with a directory fsync a crash prevented, while a later one's survived (file systems may
                // reorder directory changes; found by the power-loss simulation). Nothing after the gap was
                // acknowledged (acks wait for that fsync), so the log ends here, as after a torn seal.
                closed.Dispose();
                log.Warning("Sealed segment {Segment} ends before the next segment's base offset {Next}; treating its end as the log end", closed.LogPath, bases[i + 1]);
            }
            segments.Add(Segment.OpenUnsealed(files, directory, bases[i], bases[i + 1], config, i >= unsealedTail, log, out bool torn));
            if (!torn) continue;
            log.Warning("Segment {Segment} lost its tail in a crash before its seal; dropping the {Count} later segments (never acknowledged)",
                segments[^1].LogPath, bases.Count - 1 - i);
            for (int j = bases.Count - 1; j > i; j--) Segment.OpenClosed(files, directory, bases[j], bases[j], config).Delete();
            files.SyncDirectory(directory);
            return segments;
        }
        segments.Add(Segment.OpenActive(files, directory, bases[^1], config, cleanShutdown, log));
        return segments;
    }

    /// <summary>
    /// Encodes one batch at the log end (rolling first if due), stamped with <paramref name="leaderEpoch"/> (0 until
    /// leaders are elected). Returns its first and last offsets.
    /// </summary>
    public (long BaseOffset, long LastOffset) Append(in RecordsToAppend records, long timestampMs, int leaderEpoch = 0)
    {
        RequireRecords(records);
        return EncodeAtEnd(records, timestampMs, leaderEpoch, producer: null);
    }

    // A zero-record batch is invalid RecordBatch v2: recovery would take it for corruption and cut every later batch.
    private static void RequireRecords(in RecordsToAppend records)
    {
        if (records.Count == 0) throw new ArgumentException("a batch needs at least one record");
    }

    private (long BaseOffset, long LastOffset) EncodeAtEnd(in RecordsToAppend records, long timestampMs, int leaderEpoch, ProducerStamp? producer)
    {
        int size = RecordBatchWriter.Measure(records, timestampMs);
        if (size > Config.MaxBatchBytes)
            throw new ArgumentException($"batch of {size} bytes exceeds the largest storable batch ({Config.MaxBatchBytes} bytes)");
        var batch = ReserveAtEnd(size);
        RecordBatchWriter.Write(batch, LogEndOffset, timestampMs, leaderEpoch, records, producer);
        return CompleteAtEnd(size, records.Count, leaderEpoch);
    }

    /// <summary>
    /// <see cref="Append"/> for an idempotent producer's records (a JSON produce with producer fields): the batch is
    /// encoded with <paramref name="producer"/> in its header and passes the same producer-state rules as a Kafka
    /// producer's batch (<see cref="AppendClientBatch"/>) before anything is stored. A retry of one of the producer's
    /// last batches returns the original offsets and stores nothing; the refusals store nothing.
    /// </summary>
    public ProducerAppendResult AppendIdempotent(in RecordsToAppend records, long timestampMs, ProducerStamp producer, int leaderEpoch = 0)
    {
        RequireRecords(records);
        var batch = new ProducerBatch(producer.ProducerId, producer.Epoch, producer.FirstSequence,
            ProducerBatch.IncrementSequence(producer.FirstSequence, records.Count - 1), LogEndOffset, LogEndOffset + records.Count - 1,
            RecordBatchWriter.MaxTimestamp(records, timestampMs));
        var verdict = CheckProducer(batch);
        if (verdict.Outcome != ProducerAppendOutcome.Appended) return verdict;
        EncodeAtEnd(records, timestampMs, leaderEpoch, producer);
        ProducerState.Record(batch);
        return verdict;
    }

    /// <summary>
    /// Appends an already-encoded RecordBatch v2 as it is, after the checks of <see cref="IncomingBatch.Check"/>
    /// (which throws <see cref="InvalidBatchException"/>, and then nothing is appended). Only the base offset and the
    /// partition leader epoch are stamped, both outside the CRC; producer id, epoch and sequence, attributes
    /// (compression) and the records are kept byte for byte. For a leader's or a follower's copy: its producer
    /// fields are remembered (<see cref="Producers"/>) but not checked. Returns the batch's first and last offsets.
    /// </summary>
    public (long BaseOffset, long LastOffset) AppendRawBatch(ReadOnlySpan<byte> batch, int leaderEpoch)
    {
        var info = IncomingBatch.Check(batch, Config.MaxBatchBytes);
        return StoreRecordingProducer(batch, info, leaderEpoch);
    }

    /// <summary>Stores a checked batch unchecked by producer state (a copy of a leader's), remembering its producer fields.</summary>
    private (long BaseOffset, long LastOffset) StoreRecordingProducer(ReadOnlySpan<byte> batch, BatchInfo info, int leaderEpoch)
    {
        var producer = ProducerBatch.Read(batch, LogEndOffset);
        var offsets = StoreRawBatch(batch, info, leaderEpoch);
        if (producer.HasProducerId) ProducerState.Record(producer);
        return offsets;
    }

    /// <summary>
    /// A follower's copy of its leader's batches (as <see cref="ReadForReplica"/> returned them): each stored as it is,
    /// with the offsets and leader epoch the leader gave it, and its producer state remembered, so that a follower
    /// that becomes leader deduplicates an idempotent producer's retries as the old leader would have. The whole
    /// chunk is checked before anything is stored: every batch must pass <see cref="IncomingBatch.CheckIntact"/> and
    /// start exactly where the previous one (the first: this log's end) ended; a gap, an overlap or damage means
    /// follower and leader disagree, and nothing is stored (<see cref="InvalidBatchException"/>). The records inside
    /// are not walked again, as Kafka's follower does not: the leader checked them when it stored the batch, and the
    /// CRC, which covers them, shows they are the bytes it checked. A trailing batch cut short
    /// by the fetch's byte limit is left for the next fetch, as Kafka's follower does. Returns the records appended.
    /// </summary>
    public long AppendReplicated(ReadOnlySpan<byte> batches)
    {
        int whole = 0;
        long expected = LogEndOffset;
        while (batches.Length - whole >= L.LogOverhead)
        {
            var rest = batches[whole..];
            long size = L.LogOverhead + (long)BinaryPrimitives.ReadInt32BigEndian(rest[L.BatchLength..]);
            if (size < L.HeaderSize)
                throw new InvalidBatchException(InvalidBatchReason.Corrupt, $"replicated batch at offset {expected} claims {size} bytes, less than a batch header");
            if (size > rest.Length) break; // cut short by the byte limit
            var batch = rest[..(int)size];
            IncomingBatch.CheckIntact(batch, Config.MaxBatchBytes);
            long baseOffset = BinaryPrimitives.ReadInt64BigEndian(batch);
            if (baseOffset != expected)
                throw new InvalidBatchException(InvalidBatchReason.Corrupt, $"replicated batch starts at offset {baseOffset}, but this copy continues at {expected}");
            expected = baseOffset + BinaryPrimitives.ReadInt32BigEndian(batch[L.LastOffsetDelta..]) + 1;
            whole += (int)size;
        }
        long appended = 0;
        for (var rest = batches[..whole]; rest.Length > 0;)
        {
            int size = L.LogOverhead + BinaryPrimitives.ReadInt32BigEndian(rest[L.BatchLength..]);
            var batch = rest[..size];
            RecordBatchReader.TryReadHeader(batch, Config.MaxBatchBytes, out var info); // checked above
            var (first, last) = StoreRecordingProducer(batch, info, BinaryPrimitives.ReadInt32BigEndian(batch[L.PartitionLeaderEpoch..]));
            appended += last - first + 1;
            rest = rest[size..];
        }
        return appended;
    }

    /// <summary>The leader epoch of the last batch appended (-1 for a log that never had one).</summary>
    public int LatestEpoch => Epochs.Entries.Count == 0 ? -1 : Epochs.Entries[^1].Epoch;

    /// <summary>
    /// Kafka's OffsetsForLeaderEpoch answer, which a follower truncates by: the largest epoch this log knows that is
    /// at most <paramref name="epoch"/>, and where it ends (the start of the next epoch, or the log end for the
    /// latest). (-1, -1) when the log knows no epoch that old.
    /// </summary>
    public (int Epoch, long EndOffset) EpochEnd(int epoch)
    {
        var entries = Epochs.Entries;
        for (int i = entries.Count - 1; i >= 0; i--)
            if (entries[i].Epoch <= epoch)
                return (entries[i].Epoch, i + 1 < entries.Count ? entries[i + 1].StartOffset : LogEndOffset);
        return (-1, -1);
    }

    /// <summary>
    /// Appends a batch as a Kafka producer sent it: <see cref="AppendRawBatch"/>'s checks (throwing
    /// <see cref="InvalidBatchException"/>), then, for a batch with a producer id (idempotent producer), Kafka's
    /// producer-state rules (<see cref="ProducerStateTable"/>). Only an <see cref="ProducerAppendOutcome.Appended"/>
    /// batch is stored; a duplicate returns the original batch's offsets; the refusals store nothing.
    /// </summary>
    public ProducerAppendResult AppendClientBatch(ReadOnlySpan<byte> batch, int leaderEpoch)
    {
        var info = IncomingBatch.Check(batch, Config.MaxBatchBytes);
        var producer = ProducerBatch.Read(batch, LogEndOffset);
        if (!producer.HasProducerId)
        {
            var (first, last) = StoreRawBatch(batch, info, leaderEpoch);
            return new ProducerAppendResult(ProducerAppendOutcome.Appended, first, last);
        }
        var verdict = CheckProducer(producer);
        if (verdict.Outcome != ProducerAppendOutcome.Appended) return verdict;
        StoreRawBatch(batch, info, leaderEpoch);
        ProducerState.Record(producer);
        return verdict;
    }

    /// <summary>The producer-state verdict on a batch with a producer id, whoever encoded it (one set of rules for every door).</summary>
    private ProducerAppendResult CheckProducer(in ProducerBatch producer)
    {
        if (producer.FirstSequence < 0)
            throw new InvalidBatchException(InvalidBatchReason.Corrupt,
                $"batch of producer {producer.ProducerId} has sequence {producer.FirstSequence}; an idempotent producer's sequences start at 0");
        return ProducerState.Check(producer);
    }

    /// <summary>The idempotent producers this partition remembers (rebuilt from the log on first use).</summary>
    public ProducerStateTable Producers => ProducerState;

    /// <summary>
    /// Forgets the producers idle for <see cref="LogConfig.ProducerIdExpiration"/> (measured, as Kafka does, from their
    /// last batch's max timestamp). Runs as of the open when the state is read, and at every roll; an owner may run it
    /// periodically too, as Kafka does every 10 minutes. Returns how many were forgotten.
    /// </summary>
    public int RemoveExpiredProducers(DateTime nowUtc) => RemoveExpired(ProducerState, nowUtc);

    private int RemoveExpired(ProducerStateTable producers, DateTime nowUtc) =>
        producers.RemoveExpired(new DateTimeOffset(nowUtc).ToUnixTimeMilliseconds(), Config.ProducerIdExpiration);

    private (long BaseOffset, long LastOffset) StoreRawBatch(ReadOnlySpan<byte> batch, BatchInfo info, int leaderEpoch)
    {
        var stored = ReserveAtEnd(batch.Length);
        batch.CopyTo(stored);
        BinaryPrimitives.WriteInt64BigEndian(stored[L.BaseOffset..], LogEndOffset);
        BinaryPrimitives.WriteInt32BigEndian(stored[L.PartitionLeaderEpoch..], leaderEpoch);
        return CompleteAtEnd(batch.Length, info.RecordCount, leaderEpoch);
    }

    private Span<byte> ReserveAtEnd(int size)
    {
        BeforeChange();
        if (ShouldRoll(size)) Roll();
        return Active.ReserveBatch(size);
    }

    // The epoch is checkpointed before the batch counts as appended: if that write fails, nothing was appended.
    private (long BaseOffset, long LastOffset) CompleteAtEnd(int size, int recordCount, int leaderEpoch)
    {
        long baseOffset = LogEndOffset;
        Epochs.Assign(leaderEpoch, baseOffset);
        Active.CompleteBatch(size, recordCount);
        return (baseOffset, baseOffset + recordCount - 1);
    }

    /// <summary>Writes pending batches to the file; returns the position that running <see cref="TakeUnsynced"/> makes durable.</summary>
    public LogPosition WritePending()
    {
        var segment = Active;
        segment.WritePending();
        if (_unsynced.Count == 0 || _unsynced[^1] != segment) _unsynced.Add(segment);
        return _written = new LogPosition(segment.NextOffset, segment, segment.WrittenSize);
    }

    /// <summary>
    /// The fsyncs due since the last call: seals of segments rolled since, the segments written, the directory.
    /// Running it (any thread) makes the last <see cref="WritePending"/> durable.
    /// </summary>
    public SyncJob TakeUnsynced()
    {
        var job = new SyncJob([.. _seals], [.. _unsynced], _directoryUnsynced ? Directory : null, _files);
        _seals.Clear();
        _unsynced.Clear();
        _directoryUnsynced = false;
        return job;
    }

    /// <summary>Records that everything before <paramref name="position"/> (from <see cref="WritePending"/>) is as durable as the owner requires.</summary>
    public void MarkFlushed(LogPosition position)
    {
        if (position.NextOffset > LogEndOffset)
            throw new ArgumentOutOfRangeException(nameof(position), $"flushed offset {position.NextOffset} is past the log end {LogEndOffset}");
        if (position.NextOffset > _flushed.NextOffset) _flushed = position;
    }

    /// <summary>
    /// Moves the high watermark to <paramref name="offset"/>: what is below it is acknowledged, and the whole batches
    /// below it are readable. It may lie inside a batch (replication acknowledges by offset), never past the flushed
    /// offset, and never moves back (only <see cref="TruncateTo"/> lowers it).
    /// </summary>
    public void AdvanceHighWatermark(long offset)
    {
        if (offset > _flushed.NextOffset)
            throw new ArgumentOutOfRangeException(nameof(offset), $"high watermark {offset} would pass the flushed offset {_flushed.NextOffset}");
        if (offset <= _highWatermark) return;
        _highWatermark = offset;
        _servableEnd = offset == _flushed.NextOffset ? _flushed : StartOfBatchHolding(offset);
    }

    private LogPosition StartOfBatchHolding(long offset)
    {
        var segment = _segments[FindSegment(offset)];
        long limit = segment == _flushed.Segment ? _flushed.Position : segment.WrittenSize;
        long position = segment.FindBatchPosition(offset, limit);
        if (position < 0) throw segment.Corrupt(limit); // below the flushed offset, every offset lies in a written batch
        Span<byte> header = stackalloc byte[L.HeaderSize];
        RecordBatchReader.TryReadHeader(header[..segment.Read(position, header)], Config.MaxBatchBytes, out var batch);
        return new LogPosition(batch.BaseOffset, segment, position);
    }

    /// <summary>
    /// Drops every batch from the first one whose last offset is at or past <paramref name="offset"/>, across
    /// segments and including pending and unsynced bytes, and reuses the offsets. A batch is never split: at a batch
    /// boundary the log then ends at <paramref name="offset"/>; inside a batch it ends at that batch's base offset,
    /// and the flushed offset and high watermark move back with it. Refused below the high watermark (acknowledged
    /// data). Later segments are deleted, the cut is fsync'd and so is the directory, on this thread: truncation is
    /// rare (a failed write or sync, a follower's divergence) and must not come back after a crash.
    /// </summary>
    public void TruncateTo(long offset)
    {
        if (offset < _highWatermark)
            throw new ArgumentOutOfRangeException(nameof(offset), $"cannot truncate to offset {offset}: below the high watermark {_highWatermark}");
        CutAt(offset);
    }

    /// <summary>
    /// A follower's (or deposed leader's) divergent tail: <see cref="TruncateTo"/>, also below this replica's own high
    /// watermark. A replica that restarted counts its whole log acknowledged, yet its tail may hold batches the
    /// cluster never acknowledged and the new leader does not have (KIP-101): those go, whatever this copy thought.
    /// </summary>
    public void TruncateDivergentTail(long offset) => CutAt(offset); // CutAt lowers the high watermark with the log end

    private void CutAt(long offset)
    {
        if (offset >= LogEndOffset) return;
        BeforeChange();
        int keep = FindSegment(offset);
        while (_segments.Count - 1 > keep)
        {
            var dropped = Active;
            _segments.RemoveAt(_segments.Count - 1);
            Forget(dropped);
            dropped.Delete();
        }
        var segment = Active;
        // rolled, and now the active segment again: its bytes still need an fsync, but it must not be sealed
        if (_seals.RemoveAll(s => s.Segment == segment) > 0 && !_unsynced.Contains(segment)) _unsynced.Add(segment);
        segment.TruncateTo(offset);
        _files.SyncDirectory(Directory);
        long end = segment.NextOffset;
        var endPosition = new LogPosition(end, segment, segment.WrittenSize);
        if (_flushed.NextOffset > end) _flushed = endPosition;
        if (_written.NextOffset > end) _written = endPosition;
        if (_servableEnd.NextOffset > end) _servableEnd = endPosition;
        _highWatermark = Math.Min(_highWatermark, end);
        Epochs.TruncateFromEnd(end);
        _producers = ProducerStateLoader.Load(_files, Directory, _segments, _log); // forgets the batches cut, and their snapshots
        _log.Warning("Truncated {Directory} to offset {Offset}: log end is now {End}", Directory, offset, end);
    }

    /// <summary>
    /// After a failed write or fsync: drops everything unacknowledged (<see cref="TruncateTo"/> the high watermark,
    /// fsync'd), closes the files and opens the log again from what the disk holds, as a restart after a crash would.
    /// A failed fsync may have dropped written pages without saying which (Linux marks them clean), so nothing the
    /// process remembers about the tail is trusted, and nothing written before the failure can be acknowledged later
    /// by a sync that merely succeeds. Throws IOException if the cut or the reopen fails: the caller must then stop
    /// serving the partition. Returns the reopened log; this one is disposed.
    /// </summary>
    public PartitionLog ReopenAfterFailure()
    {
        try { TruncateTo(_highWatermark); }
        finally { Dispose(); }
        _log.Warning("Reopening {Directory} after a storage failure: re-reading its durable state", Directory);
        return Open(Directory, Config, cleanShutdown: false, _log, _files);
    }

    /// <summary>
    /// Reads whole batches starting with the one holding <paramref name="offset"/>, about <paramref name="maxBytes"/>
    /// (at least one batch, so a large batch never blocks a consumer), from one segment, only batches wholly below the
    /// high watermark. Every whole batch returned passed its CRC check here (see <see cref="ReadResult"/>).
    /// </summary>
    public ReadResult Read(long offset, int maxBytes) => ReadBelow(offset, maxBytes, _servableEnd);

    private ReadResult ReadBelow(long offset, int maxBytes, LogPosition end)
    {
        if (offset < LogStartOffset || offset >= end.NextOffset) return ReadResult.Empty;
        int i = FindSegment(offset);
        for (; i < _segments.Count; i++)
        {
            var segment = _segments[i];
            long limit = segment == end.Segment ? end.Position : segment.WrittenSize;
            limit = segment.ReadableEnd(limit);
            long position = segment.FindBatchPosition(offset, limit);
            if (position < 0)
            {
                if (segment == end.Segment) return ReadResult.Empty;
                if (limit < segment.WrittenSize) throw segment.Corrupt(limit);
                continue; // offset lies in a later segment
            }
            Span<byte> header = stackalloc byte[L.HeaderSize];
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

    /// <summary>
    /// <see cref="Read"/> for a follower: batches up to what is written to the file, acknowledged or not (the
    /// follower's copy is what lets the leader acknowledge them).
    /// </summary>
    public ReadResult ReadForReplica(long offset, int maxBytes) => ReadBelow(offset, maxBytes, _written);

    /// <summary>
    /// Deletes the oldest closed segments that <paramref name="expired"/> selects; never the active one, nor one
    /// holding anything unacknowledged. A seal still due for a deleted segment is dropped (one already taken skips it).
    /// </summary>
    public int DeleteOldSegments(Func<Segment, long, bool> expired)
    {
        int deleted = 0;
        long remainingBytes = SizeInBytes;
        while (_segments.Count > 1 && _servableEnd.Segment != _segments[0] && expired(_segments[0], remainingBytes))
        {
            BeforeChange(); // the producers of the segments deleted stay known, as if read at open
            var segment = _segments[0];
            remainingBytes -= segment.Size;
            _segments.RemoveAt(0);
            Forget(segment);
            segment.Delete();
            // one directory fsync per segment, so the deletions survive in order: a file system that reorders
            // directory changes could otherwise keep an older segment and lose a later one's file, and recovery
            // would take the gap for a torn tail and drop every acknowledged segment after it (found by the
            // power-loss simulation). It also makes the new log start survive a machine crash.
            _files.SyncDirectory(Directory);
            deleted++;
            _log.Information("Retention deleted segment {Segment}; log start offset is now {LogStartOffset}", segment.LogPath, LogStartOffset);
        }
        // producers stay in memory (as in Kafka: a retry is still recognised); their older snapshots go with the segments
        if (deleted > 0 && ProducerSnapshot.Delete(_files, Directory, offset => offset < LogStartOffset)) _files.SyncDirectory(Directory);
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
            BeforeChange();
            Roll();
            // everything was acknowledged: the new segment starts at the flushed offset and the high watermark
            _flushed = _servableEnd = _written = new LogPosition(Active.NextOffset, Active, 0);
        }
        return DeleteOldSegments((segment, logBytes) => retention.Expired(segment, logBytes, nowUtc));
    }

    // Everything appended is acknowledged (nothing pending, written-but-unflushed or awaiting an ack) and old enough.
    private bool ActiveIsIdleAndExpired(RetentionPolicy retention, DateTime nowUtc) =>
        retention.MaxAge is { } maxAge && Active.MessageCount > 0
        && _servableEnd.Segment == Active && _servableEnd.Position == Active.Size
        && nowUtc - Active.LastWriteUtc > maxAge;

    /// <summary>
    /// Clean close: runs every due fsync and seal, then seals the active segment so the next start skips recovery, and
    /// snapshots the producer state (if it was read) at the log end so the next start reads no batch header for it.
    /// A log opened after a clean close and not changed since is left as that close left it: nothing to write, and
    /// with thousands of partitions the fsyncs were most of a clean stop.
    /// </summary>
    public void Close()
    {
        if (!_asLastClosed)
        {
            TakeUnsynced().Run();
            Active.SealAtClose();
            if (_producers is { } producers) WriteSnapshot(producers);
        }
        foreach (var s in _segments) s.Dispose();
    }

    private void WriteSnapshot(ProducerStateTable producers)
    {
        try { ProducerSnapshot.WriteUnsynced(_files, Directory, LogEndOffset, ProducerSnapshot.Serialize(producers)); }
        catch (IOException e) { _log.Warning("Could not write the producer snapshot of {Directory} ({Reason}); the next start reads the batch headers instead", Directory, e.Message); }
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

    /// <summary>
    /// Starts a new segment, cheaply: the old one's pending bytes are written (to the page cache), and its seal
    /// (fsync, then index file) and the directory fsync that makes the new file durable go into the next
    /// <see cref="SyncJob"/>. Nothing past the roll is acknowledged before that job ran.
    /// </summary>
    private void Roll()
    {
        var old = Active;
        // an .index file says "sealed": one from a clean close must be gone, durably, before another segment follows
        // this one, or a crash before the seal below would leave it looking sealed with an index of older content
        if (old.RemoveIndexFile()) _files.SyncDirectory(Directory);
        old.WritePending();
        old.TrimPreallocation(); // a closed segment ends where its batches do
        _unsynced.Remove(old); // the seal's fsync covers it
        RemoveExpiredProducers(DateTime.UtcNow);
        _seals.Add(old.PrepareSeal(new PendingSnapshot(_files, Directory, old.NextOffset, ProducerSnapshot.Serialize(ProducerState))));
        var next = Segment.Create(_files, Directory, old.NextOffset, Config);
        _segments.Add(next); // before anything else can fail: an untracked file would make every later roll fail on "file exists"
        _directoryUnsynced = true;
        _log.Information("Rolled segment {Segment} at offset {Offset}", next.LogPath, next.BaseOffset);
    }

    /// <summary>Drops a segment leaving the log from the fsyncs still due.</summary>
    private void Forget(Segment segment)
    {
        _unsynced.Remove(segment);
        _seals.RemoveAll(s => s.Segment == segment);
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
