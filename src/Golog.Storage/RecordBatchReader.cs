using System.Buffers.Binary;
using L = Golog.Storage.RecordBatchLayout;

namespace Golog.Storage;

public enum BatchStatus { Ok, Incomplete, Corrupt }

/// <summary>The fixed header fields of one stored batch.</summary>
public readonly record struct BatchInfo(long BaseOffset, int Size, int RecordCount, long Timestamp, BatchCompression Compression = BatchCompression.None)
{
    public long LastOffset => BaseOffset + RecordCount - 1;
    public long NextOffset => BaseOffset + RecordCount;
}

/// <summary>Validates and walks RecordBatch v2 bytes. Never trusts a length it has not bounds-checked.</summary>
public static class RecordBatchReader
{
    /// <summary>
    /// Most bytes one batch's records may decompress to, so that a small batch crafted to expand (a zip bomb) cannot
    /// take the broker's memory: as large as the largest storable batch (LogConfig.MaxBatchBytes' default).
    /// </summary>
    public const int DefaultMaxDecompressedBytes = 64 * 1024 * 1024;
    private const int CompressionMask = 0x07; // attributes bits 0-2


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
            BinaryPrimitives.ReadInt64BigEndian(buffer[L.BaseTimestamp..]),
            CompressionOf(buffer));
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

    /// <summary>The codec of a batch's records (attributes bits 0-2); values past zstd are no codec Kafka knows.</summary>
    internal static BatchCompression CompressionOf(ReadOnlySpan<byte> header) =>
        (BatchCompression)(BinaryPrimitives.ReadInt16BigEndian(header[L.Attributes..]) & CompressionMask);

    /// <summary>
    /// The records of a batch whose CRC matched. A compressed batch is decompressed first (at most
    /// <paramref name="maxDecompressedBytes"/>) and its records checked whole, so a damaged or oversized block, or
    /// records that do not match the header, are a <see cref="CorruptLogException"/> here, before any record is seen.
    /// </summary>
    public static RecordEnumerator Records(ReadOnlySpan<byte> batch, int maxDecompressedBytes = DefaultMaxDecompressedBytes)
    {
        long baseOffset = BinaryPrimitives.ReadInt64BigEndian(batch);
        long timestamp = BinaryPrimitives.ReadInt64BigEndian(batch[L.BaseTimestamp..]);
        int count = BinaryPrimitives.ReadInt32BigEndian(batch[L.RecordCount..]);
        var compression = CompressionOf(batch);
        if (compression == BatchCompression.None) return new RecordEnumerator(batch[L.HeaderSize..], baseOffset, timestamp, count);
        if (compression > BatchCompression.Zstd)
            throw new CorruptLogException($"batch at offset {baseOffset} has unknown compression type {(int)compression}");
        var records = RecordDecompressor.Decompress(compression, batch[L.HeaderSize..], maxDecompressedBytes, baseOffset, out int length);
        var enumerator = new RecordEnumerator(records.AsSpan(0, length), baseOffset, timestamp, count);
        if (RecordsFault(enumerator, length) is { } fault)
            throw new CorruptLogException($"batch at offset {baseOffset} decompresses ({compression}) to damaged records: {fault}");
        return enumerator;
    }

    /// <summary>
    /// What is wrong with a batch's records, walked whole (<paramref name="records"/> fresh, over <paramref name="length"/>
    /// bytes): offset deltas 0, 1, 2..., each record exactly filling its length, none missing or extra. Null when well-formed.
    /// </summary>
    internal static string? RecordsFault(RecordEnumerator records, int length)
    {
        int walked = 0;
        try
        {
            while (records.MoveNext())
            {
                var record = records.Current;
                long delta = record.Offset - records.BaseOffset;
                if (delta != walked) return $"record {walked} has offset delta {delta}; deltas must run 0, 1, 2...";
                var headers = record.Headers;
                while (headers.MoveNext()) { }
                if (headers.Remaining != 0) return $"record {walked} has {headers.Remaining} bytes after its headers";
                walked++;
            }
        }
        catch (InvalidDataException)
        {
            return $"record {walked} of {records.Count} is malformed or missing: the batch's records do not fill it as their lengths say";
        }
        return records.Consumed == length ? null
            : $"batch has {length - records.Consumed} bytes after its {records.Count} records: record count {records.Count} is less than the records present";
    }
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
    private readonly ReadOnlySpan<byte> _records;
    private readonly long _timestamp;
    private int _index;
    private int _pos;

    /// <summary>Walks <paramref name="count"/> records encoded back to back in <paramref name="records"/> (a batch's, after its header).</summary>
    public RecordEnumerator(ReadOnlySpan<byte> records, long baseOffset, long baseTimestamp, int count)
    {
        _records = records;
        BaseOffset = baseOffset;
        _timestamp = baseTimestamp;
        Count = count;
        Current = default;
    }

    internal long BaseOffset { get; }
    internal int Count { get; }
    public StoredRecord Current { get; private set; }
    public RecordEnumerator GetEnumerator() => this;
    /// <summary>Bytes of the records walked so far: after the last record, all of them unless bytes trail it.</summary>
    internal int Consumed => _pos;

    public bool MoveNext()
    {
        if (_index >= Count) return false;
        long length = ReadVarint();
        if (length < 0 || _pos + length > _records.Length) throw Malformed();
        int end = _pos + (int)length;
        _pos++; // attributes
        long tsDelta = ReadVarint();
        long offsetDelta = ReadVarint();
        var key = ReadBytes(out bool hasKey);
        var value = ReadBytes(out _);
        int headerCount = (int)ReadVarint();
        if (headerCount < 0 || _pos > end) throw Malformed();
        var headers = _records[_pos..end];
        _pos = end;
        _index++;
        Current = new StoredRecord
        {
            Offset = BaseOffset + offsetDelta,
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
        int n = Varint.Read(_records[Math.Min(_pos, _records.Length)..], out long v);
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
        if (_pos + len > _records.Length) throw Malformed();
        var bytes = _records.Slice(_pos, (int)len);
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
