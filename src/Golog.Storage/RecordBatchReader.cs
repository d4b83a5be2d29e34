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
        if (HeaderFault(buffer, maxBatchSize) is not null) return BatchStatus.Corrupt;
        info = new BatchInfo(
            BinaryPrimitives.ReadInt64BigEndian(buffer),
            BinaryPrimitives.ReadInt32BigEndian(buffer[L.BatchLength..]) + L.LogOverhead,
            BinaryPrimitives.ReadInt32BigEndian(buffer[L.RecordCount..]),
            BinaryPrimitives.ReadInt64BigEndian(buffer[L.BaseTimestamp..]));
        return buffer.Length < info.Size ? BatchStatus.Incomplete : BatchStatus.Ok;
    }

    /// <summary>
    /// What is wrong with a batch's fixed header (at least <see cref="L.HeaderSize"/> bytes), in words a user
    /// understands; null when it is plausible. Shared by reads of stored batches and checks of incoming ones.
    /// </summary>
    internal static string? HeaderFault(ReadOnlySpan<byte> header, int maxBatchSize)
    {
        int length = BinaryPrimitives.ReadInt32BigEndian(header[L.BatchLength..]);
        if (length < L.HeaderSize - L.LogOverhead)
            return $"batch length field {length} is shorter than a batch header ({L.HeaderSize - L.LogOverhead} bytes)";
        if ((long)length + L.LogOverhead > maxBatchSize)
            return $"batch of {(long)length + L.LogOverhead} bytes exceeds the largest storable batch ({maxBatchSize} bytes)";
        if (header[L.Magic] != L.CurrentMagic)
            return $"batch magic {header[L.Magic]} is not 2 (only RecordBatch v2 is stored)";
        int count = BinaryPrimitives.ReadInt32BigEndian(header[L.RecordCount..]);
        int lastDelta = BinaryPrimitives.ReadInt32BigEndian(header[L.LastOffsetDelta..]);
        if (count <= 0) return $"batch record count {count} is not positive";
        if (lastDelta != count - 1) return $"record count {count} does not match last offset delta {lastDelta}";
        return null;
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
    /// <summary>Bytes of the batch walked so far: after the last record, the whole batch unless bytes trail it.</summary>
    internal int Consumed => _pos;

    public bool MoveNext()
    {
        if (_index >= _count) return false;
        long length = ReadVarint();
        if (length < 0 || _pos + length > _batch.Length) throw Malformed();
        int end = _pos + (int)length;
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
        if (len < -1) throw Malformed(); // -1 is null; nothing else below 0 means anything
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
    /// <summary>Bytes not yet walked: none after the last header of a well-formed record.</summary>
    internal int Remaining => _rest.Length;

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
