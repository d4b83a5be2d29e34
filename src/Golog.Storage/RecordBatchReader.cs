using System.Buffers.Binary;
using L = Golog.Storage.RecordBatchLayout;

namespace Golog.Storage;

public enum BatchStatus { Ok, Incomplete, Corrupt }

/// <summary>The fixed header fields of one stored batch.</summary>
public readonly record struct BatchInfo(long BaseOffset, int Size, int RecordCount, long Timestamp)
{
    public long LastOffset => BaseOffset + RecordCount - 1;
    public long NextOffset => BaseOffset + RecordCount;
}

/// <summary>Validates and walks RecordBatch v2 bytes. Never trusts a length it has not bounds-checked.</summary>
public static class RecordBatchReader
{
    /// <summary>Reads the header at the start of <paramref name="buffer"/>; Incomplete when the whole batch is not in the buffer.</summary>
    public static BatchStatus TryReadHeader(ReadOnlySpan<byte> buffer, int maxBatchSize, out BatchInfo info)
    {
        info = default;
        if (buffer.Length < L.HeaderSize) return BatchStatus.Incomplete;
        int length = BinaryPrimitives.ReadInt32BigEndian(buffer[L.BatchLength..]);
        int size = length + L.LogOverhead;
        if (length < L.HeaderSize - L.LogOverhead || size > maxBatchSize || buffer[L.Magic] != L.CurrentMagic)
            return BatchStatus.Corrupt;
        int count = BinaryPrimitives.ReadInt32BigEndian(buffer[L.RecordCount..]);
        int lastDelta = BinaryPrimitives.ReadInt32BigEndian(buffer[L.LastOffsetDelta..]);
        if (count <= 0 || lastDelta != count - 1) return BatchStatus.Corrupt;
        info = new BatchInfo(
            BinaryPrimitives.ReadInt64BigEndian(buffer),
            size,
            count,
            BinaryPrimitives.ReadInt64BigEndian(buffer[L.BaseTimestamp..]));
        return buffer.Length < size ? BatchStatus.Incomplete : BatchStatus.Ok;
    }

    public static bool CrcMatches(ReadOnlySpan<byte> batch) =>
        BinaryPrimitives.ReadUInt32BigEndian(batch[L.Crc..]) == Crc32C.Compute(batch[L.Attributes..]);

    /// <summary>Header check plus CRC: the test recovery and reads apply before trusting a batch.</summary>
    public static BatchStatus Validate(ReadOnlySpan<byte> buffer, int maxBatchSize, out BatchInfo info)
    {
        var status = TryReadHeader(buffer, maxBatchSize, out info);
        if (status == BatchStatus.Ok && !CrcMatches(buffer[..info.Size])) return BatchStatus.Corrupt;
        return status;
    }

    public static RecordEnumerator Records(ReadOnlySpan<byte> batch) => new(batch);
}

/// <summary>One record as stored: spans point into the batch bytes.</summary>
public readonly ref struct StoredRecord
{
    public long Offset { get; init; }
    public long Timestamp { get; init; }
    public bool HasKey { get; init; }
    public ReadOnlySpan<byte> Key { get; init; }
    public ReadOnlySpan<byte> Value { get; init; }
    public int HeaderCount { get; init; }
    /// <summary>Encoded headers: pairs of (varint length, bytes); walk with <see cref="HeaderEnumerator"/>.</summary>
    public ReadOnlySpan<byte> HeaderBytes { get; init; }
    public HeaderEnumerator Headers => new(HeaderBytes, HeaderCount);
}

/// <summary>Walks the records of a batch whose CRC has been checked; throws InvalidDataException on malformed records.</summary>
public ref struct RecordEnumerator
{
    private readonly ReadOnlySpan<byte> _batch;
    private readonly long _baseOffset;
    private readonly long _timestamp;
    private readonly int _count;
    private int _index;
    private int _pos;

    public RecordEnumerator(ReadOnlySpan<byte> batch)
    {
        _batch = batch;
        _baseOffset = BinaryPrimitives.ReadInt64BigEndian(batch);
        _timestamp = BinaryPrimitives.ReadInt64BigEndian(batch[L.BaseTimestamp..]);
        _count = BinaryPrimitives.ReadInt32BigEndian(batch[L.RecordCount..]);
        _pos = L.HeaderSize;
        Current = default;
    }

    public StoredRecord Current { get; private set; }
    public RecordEnumerator GetEnumerator() => this;

    public bool MoveNext()
    {
        if (_index >= _count) return false;
        int length = (int)ReadVarint();
        int end = _pos + length;
        if (length < 0 || end > _batch.Length) throw Malformed();
        _pos++; // attributes
        long tsDelta = ReadVarint();
        long offsetDelta = ReadVarint();
        var key = ReadBytes(out bool hasKey);
        var value = ReadBytes(out _);
        int headerCount = (int)ReadVarint();
        if (headerCount < 0 || _pos > end) throw Malformed();
        var headers = _batch[_pos..end];
        _pos = end;
        _index++;
        Current = new StoredRecord
        {
            Offset = _baseOffset + offsetDelta,
            Timestamp = _timestamp + tsDelta,
            HasKey = hasKey,
            Key = key,
            Value = value,
            HeaderCount = headerCount,
            HeaderBytes = headers,
        };
        return true;
    }

    private long ReadVarint()
    {
        int n = Varint.Read(_batch[Math.Min(_pos, _batch.Length)..], out long v);
        if (n == 0) throw Malformed();
        _pos += n;
        return v;
    }

    private ReadOnlySpan<byte> ReadBytes(out bool present)
    {
        long len = ReadVarint();
        present = len >= 0;
        if (len < 0) return default;
        if (_pos + len > _batch.Length) throw Malformed();
        var bytes = _batch.Slice(_pos, (int)len);
        _pos += (int)len;
        return bytes;
    }

    private static InvalidDataException Malformed() => new("malformed record inside a batch whose CRC matched");
}

public readonly ref struct StoredHeader(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
{
    public ReadOnlySpan<byte> Key { get; } = key;
    public ReadOnlySpan<byte> Value { get; } = value;
}

public ref struct HeaderEnumerator(ReadOnlySpan<byte> bytes, int count)
{
    private ReadOnlySpan<byte> _rest = bytes;
    private int _left = count;
    public StoredHeader Current { get; private set; }
    public HeaderEnumerator GetEnumerator() => this;

    public bool MoveNext()
    {
        if (_left-- <= 0) return false;
        var key = Next();
        var value = Next();
        Current = new StoredHeader(key, value);
        return true;
    }

    private ReadOnlySpan<byte> Next()
    {
        int n = Varint.Read(_rest, out long len);
        if (n == 0 || len < 0 || n + len > _rest.Length) throw new InvalidDataException("malformed record header");
        var bytes = _rest.Slice(n, (int)len);
        _rest = _rest[(n + (int)len)..];
        return bytes;
    }
}
