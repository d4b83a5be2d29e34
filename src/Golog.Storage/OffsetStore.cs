using System.Buffers.Binary;
using System.Text;
using Serilog;

namespace Golog.Storage;

/// <summary>
/// A consumer group's committed offsets, persisted as an append-only file of CRC-framed commit records:
/// [int32 payload length][uint32 CRC-32C of payload][payload: uint16 topic length, topic UTF-8, int32 partition,
/// int64 offset]. Commits go the way of a partition's appends: <see cref="Append"/> encodes, <see cref="WritePending"/>
/// writes everything appended at once, <see cref="Sync"/> makes it durable and <see cref="MarkDurable"/> makes it
/// visible in <see cref="Offsets"/>, so a query never sees a commit that a failed fsync may still lose. Replay keeps
/// the last complete record per partition, so a file cut at any byte yields the last complete commit. When the file
/// holds mostly superseded records it is rewritten to a temp file and atomically renamed over. Not thread-safe; the
/// owner serialises.
/// </summary>
public sealed class OffsetStore : IDisposable
{
    private const int RecordHeader = 8;
    private const int CompactAfterRecords = 4096;
    private readonly IFileSystem _files;
    private readonly string _path;
    private readonly Dictionary<TopicPartition, long> _offsets = [];
    private readonly MemoryStream _pending = new();
    private readonly List<KeyValuePair<TopicPartition, long>> _pendingCommits = [];
    private readonly List<(long End, TopicPartition Partition, long Offset)> _written = []; // in the file, not yet durable
    private IStorageFile _file;
    private long _end; // where the next record is written
    private int _recordsInFile;
    private long _durableLength;

    private OffsetStore(IFileSystem files, string path, ILogger log)
    {
        _files = files;
        _path = path;
        var dir = Path.GetDirectoryName(path)!;
        files.CreateDirectory(dir);
        files.Delete(path + ".tmp"); // an interrupted compaction; the original is still whole
        bool created = !files.FileExists(path);
        _file = files.Open(path, FileMode.OpenOrCreate);
        if (created) files.SyncDirectory(dir); // a commit fsync'd into a file whose name a crash forgets is lost
        long valid = Replay(log);
        if (valid < _file.Length)
        {
            log.Warning("Offset file {File} had a torn tail: dropped {Bytes} bytes after the last complete commit", path, _file.Length - valid);
            _file.SetLength(valid);
            _file.Sync();
        }
        _end = _durableLength = valid;
    }

    public static OffsetStore Open(string path, ILogger log, IFileSystem? files = null) => new(files ?? DiskFileSystem.Instance, path, log);

    /// <summary>The durable commits: the latest offset per partition.</summary>
    public IReadOnlyDictionary<TopicPartition, long> Offsets => _offsets;

    public long? Get(TopicPartition tp) => _offsets.TryGetValue(tp, out var o) ? o : null;

    /// <summary>Encodes one commit for the next <see cref="WritePending"/>.</summary>
    public void Append(TopicPartition tp, long offset)
    {
        WriteRecord(_pending, tp, offset);
        _pendingCommits.Add(KeyValuePair.Create(tp, offset));
    }

    /// <summary>Writes every appended commit to the file; returns the length that the next <see cref="Sync"/> makes durable.</summary>
    public long WritePending()
    {
        if (_pendingCommits.Count == 0) return _end;
        // a rewrite replaces the file, so it waits until no written record is still waiting for a sync of the old one
        if (_written.Count == 0 && _recordsInFile + _pendingCommits.Count > CompactAfterRecords && _recordsInFile > 2 * _offsets.Count)
            Rewrite();
        else
        {
            _file.Write(_pending.GetBuffer().AsSpan(0, (int)_pending.Length), _end);
            _end += _pending.Length;
            _recordsInFile += _pendingCommits.Count;
        }
        foreach (var (tp, offset) in _pendingCommits) _written.Add((_end, tp, offset));
        ClearPending();
        return _end;
    }

    /// <summary>fsync of the offsets file: what was written before it survives a crash.</summary>
    public void Sync() => _file.Sync();

    /// <summary>A sync made the file durable up to <paramref name="length"/>: the commits written before it are now the group's offsets.</summary>
    public void MarkDurable(long length)
    {
        int durable = _written.FindLastIndex(w => w.End <= length) + 1;
        foreach (var (_, tp, offset) in _written.Take(durable)) _offsets[tp] = offset;
        _written.RemoveRange(0, durable);
        _durableLength = Math.Max(_durableLength, length);
    }

    /// <summary>
    /// After a failed write or sync: forgets every commit not yet durable and cuts the file back to its durable
    /// length, since a torn record left in place would end replay early and hide every later commit.
    /// </summary>
    public void DiscardUndurable()
    {
        _recordsInFile -= _written.Count;
        _written.Clear();
        ClearPending();
        _file.SetLength(_durableLength);
        _end = _durableLength;
    }

    /// <summary>
    /// Drops every offset of <paramref name="topic"/> (it was deleted) and rewrites the file without them, durable on
    /// return; false when the group had none. Call with every commit durable (after a sync): the rewrite replaces the file.
    /// </summary>
    public bool Forget(string topic)
    {
        if (_written.Count > 0 || _pendingCommits.Count > 0) throw new InvalidOperationException("commits are still waiting for a sync");
        var gone = _offsets.Keys.Where(tp => tp.Topic == topic).ToList();
        if (gone.Count == 0) return false;
        foreach (var tp in gone) _offsets.Remove(tp);
        Rewrite();
        return true;
    }

    public void Dispose() => _file.Dispose();

    private void ClearPending()
    {
        _pending.SetLength(0);
        _pendingCommits.Clear();
    }

    /// <summary>The durable offsets with the pending commits over them, in a new file that is durable on return.</summary>
    private void Rewrite()
    {
        var latest = new Dictionary<TopicPartition, long>(_offsets);
        foreach (var (tp, offset) in _pendingCommits) latest[tp] = offset;
        var content = new MemoryStream();
        foreach (var (tp, offset) in latest) WriteRecord(content, tp, offset);
        StorageLayout.ReplaceAtomically(_files, _path, _path + ".tmp", content.GetBuffer().AsSpan(0, (int)content.Length), beforeRename: _file.Dispose);
        _file = _files.Open(_path, FileMode.Open);
        _end = _durableLength = _file.Length;
        _recordsInFile = latest.Count;
    }

    private static void WriteRecord(Stream stream, TopicPartition tp, long offset)
    {
        int topicBytes = Encoding.UTF8.GetByteCount(tp.Topic);
        int payload = 2 + topicBytes + 4 + 8;
        Span<byte> record = stackalloc byte[RecordHeader + payload];
        var p = record[RecordHeader..];
        BinaryPrimitives.WriteUInt16BigEndian(p, (ushort)topicBytes);
        Encoding.UTF8.GetBytes(tp.Topic, p[2..]);
        BinaryPrimitives.WriteInt32BigEndian(p[(2 + topicBytes)..], tp.Partition);
        BinaryPrimitives.WriteInt64BigEndian(p[(6 + topicBytes)..], offset);
        BinaryPrimitives.WriteInt32BigEndian(record, payload);
        BinaryPrimitives.WriteUInt32BigEndian(record[4..], Crc32C.Compute(p));
        stream.Write(record);
    }

    /// <summary>Loads every complete record; returns the byte length of the valid prefix.</summary>
    private long Replay(ILogger log)
    {
        var bytes = _files.ReadAllBytes(_path);
        int pos = 0;
        while (bytes.Length - pos >= RecordHeader)
        {
            int payload = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(pos));
            if (payload < 14 || payload > 2 + Names.MaxLength * 4 + 12 || bytes.Length - pos - RecordHeader < payload) break;
            var p = bytes.AsSpan(pos + RecordHeader, payload);
            if (BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(pos + 4)) != Crc32C.Compute(p)) break;
            int topicBytes = BinaryPrimitives.ReadUInt16BigEndian(p);
            if (2 + topicBytes + 12 != payload) break;
            var topic = Encoding.UTF8.GetString(p.Slice(2, topicBytes));
            int partition = BinaryPrimitives.ReadInt32BigEndian(p[(2 + topicBytes)..]);
            _offsets[new TopicPartition(topic, partition)] = BinaryPrimitives.ReadInt64BigEndian(p[(6 + topicBytes)..]);
            _recordsInFile++;
            pos += RecordHeader + payload;
        }
        if (pos < bytes.Length) log.Debug("Offset file {File}: valid prefix {Valid} of {Length} bytes", _path, pos, bytes.Length);
        return pos;
    }
}
