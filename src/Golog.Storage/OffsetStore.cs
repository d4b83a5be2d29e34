using System.Buffers.Binary;
using System.Text;
using Serilog;

namespace Golog.Storage;

/// <summary>
/// A consumer group's committed offsets, persisted as an append-only file of CRC-framed commit records:
/// [int32 payload length][uint32 CRC-32C of payload][payload: uint16 topic length, topic UTF-8, int32 partition,
/// int64 offset]. A commit is durable when <see cref="Commit"/> returns. Replay keeps the last complete record per
/// partition, so a file cut at any byte yields the last complete commit. When the file holds mostly superseded
/// records it is rewritten to a temp file and atomically renamed over. Not thread-safe; the owner serialises.
/// </summary>
public sealed class OffsetStore : IDisposable
{
    private const int RecordHeader = 8;
    private const int CompactAfterRecords = 4096;
    private readonly string _path;
    private readonly Dictionary<TopicPartition, long> _offsets = [];
    private FileStream _file;
    private int _recordsInFile;

    private OffsetStore(string path, ILogger log)
    {
        _path = path;
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.Delete(path + ".tmp"); // an interrupted compaction; the original is still whole
        _file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read, 1, FileOptions.None);
        long valid = Replay(log);
        if (valid < _file.Length)
        {
            log.Warning("Offset file {File} had a torn tail: dropped {Bytes} bytes after the last complete commit", path, _file.Length - valid);
            _file.SetLength(valid);
            _file.Flush(flushToDisk: true);
        }
        _file.Position = valid;
    }

    public static OffsetStore Open(string path, ILogger log) => new(path, log);

    public IReadOnlyDictionary<TopicPartition, long> Offsets => _offsets;

    public long? Get(TopicPartition tp) => _offsets.TryGetValue(tp, out var o) ? o : null;

    /// <summary>Appends the commits and fsyncs once; on return they survive a crash.</summary>
    public void Commit(IReadOnlyCollection<KeyValuePair<TopicPartition, long>> commits)
    {
        if (commits.Count == 0) return;
        if (_recordsInFile + commits.Count > CompactAfterRecords && _recordsInFile > 2 * _offsets.Count)
        {
            foreach (var (tp, offset) in commits) _offsets[tp] = offset;
            Rewrite();
            return;
        }
        var buffer = new MemoryStream();
        foreach (var (tp, offset) in commits) WriteRecord(buffer, tp, offset);
        long before = _file.Position;
        try
        {
            _file.Write(buffer.GetBuffer(), 0, (int)buffer.Length);
            _file.Flush(flushToDisk: true);
        }
        catch (IOException)
        {
            // A torn record left in place would end replay early and hide every later commit: cut it off.
            try { _file.SetLength(before); _file.Position = before; } catch (IOException) { }
            throw;
        }
        foreach (var (tp, offset) in commits) _offsets[tp] = offset;
        _recordsInFile += commits.Count;
    }

    public void Dispose() => _file.Dispose();

    private void Rewrite()
    {
        var tmp = _path + ".tmp";
        using (var file = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            foreach (var (tp, offset) in _offsets) WriteRecord(file, tp, offset);
            file.Flush(flushToDisk: true);
        }
        _file.Dispose();
        File.Move(tmp, _path, overwrite: true);
        StorageLayout.SyncDirectory(Path.GetDirectoryName(_path)!);
        _file = new FileStream(_path, FileMode.Open, FileAccess.ReadWrite, FileShare.Read, 1, FileOptions.None);
        _file.Position = _file.Length;
        _recordsInFile = _offsets.Count;
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
        var bytes = new byte[_file.Length];
        _file.ReadExactly(bytes);
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
