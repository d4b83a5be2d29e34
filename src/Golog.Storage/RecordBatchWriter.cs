using System.Buffers.Binary;
using L = Golog.Storage.RecordBatchLayout;

namespace Golog.Storage;

public readonly record struct RecordHeader(ReadOnlyMemory<byte> Key, ReadOnlyMemory<byte> Value);

/// <summary>
/// What a produce asks to store: the values, plus a key and headers shared by every record of the batch.
/// Values are slices of the caller's buffers; nothing is copied until the batch is encoded.
/// </summary>
public readonly record struct RecordsToAppend(
    ReadOnlyMemory<ReadOnlyMemory<byte>> Values,
    ReadOnlyMemory<byte>? Key = null,
    ReadOnlyMemory<RecordHeader> Headers = default)
{
    public int Count => Values.Length;
}

/// <summary>Encodes records into one Kafka RecordBatch v2. Allocation-free: the caller supplies the destination.</summary>
public static class RecordBatchWriter
{
    public static int Measure(in RecordsToAppend records)
    {
        int size = L.HeaderSize;
        var values = records.Values.Span;
        for (int i = 0; i < values.Length; i++)
        {
            int body = RecordBodySize(i, values[i].Length, records);
            size += Varint.Size(body) + body;
        }
        return size;
    }

    /// <summary>Writes the batch into <paramref name="dest"/> (at least <see cref="Measure"/> bytes) and returns its size.</summary>
    public static int Write(Span<byte> dest, long baseOffset, long timestampMs, in RecordsToAppend records)
    {
        var values = records.Values.Span;
        int pos = L.HeaderSize;
        for (int i = 0; i < values.Length; i++)
        {
            int body = RecordBodySize(i, values[i].Length, records);
            pos += Varint.Write(dest[pos..], body);
            dest[pos++] = 0; // record attributes
            pos += Varint.Write(dest[pos..], 0); // timestamp delta: one timestamp per batch
            pos += Varint.Write(dest[pos..], i); // offset delta
            pos += WriteBytes(dest[pos..], records.Key);
            pos += WriteBytes(dest[pos..], values[i]);
            var headers = records.Headers.Span;
            pos += Varint.Write(dest[pos..], headers.Length);
            foreach (var h in headers)
            {
                pos += WriteBytes(dest[pos..], h.Key);
                pos += WriteBytes(dest[pos..], h.Value);
            }
        }

        BinaryPrimitives.WriteInt64BigEndian(dest[L.BaseOffset..], baseOffset);
        BinaryPrimitives.WriteInt32BigEndian(dest[L.BatchLength..], pos - L.LogOverhead);
        BinaryPrimitives.WriteInt32BigEndian(dest[L.PartitionLeaderEpoch..], 0);
        dest[L.Magic] = L.CurrentMagic;
        BinaryPrimitives.WriteInt16BigEndian(dest[L.Attributes..], 0);
        BinaryPrimitives.WriteInt32BigEndian(dest[L.LastOffsetDelta..], values.Length - 1);
        BinaryPrimitives.WriteInt64BigEndian(dest[L.BaseTimestamp..], timestampMs);
        BinaryPrimitives.WriteInt64BigEndian(dest[L.MaxTimestamp..], timestampMs);
        BinaryPrimitives.WriteInt64BigEndian(dest[L.ProducerId..], -1);
        BinaryPrimitives.WriteInt16BigEndian(dest[L.ProducerEpoch..], -1);
        BinaryPrimitives.WriteInt32BigEndian(dest[L.BaseSequence..], -1);
        BinaryPrimitives.WriteInt32BigEndian(dest[L.RecordCount..], values.Length);
        BinaryPrimitives.WriteUInt32BigEndian(dest[L.Crc..], Crc32C.Compute(dest[L.Attributes..pos]));
        return pos;
    }

    private static int RecordBodySize(int index, int valueLength, in RecordsToAppend records)
    {
        int size = 1 + Varint.Size(0) + Varint.Size(index) + BytesSize(records.Key) + Varint.Size(valueLength) + valueLength;
        var headers = records.Headers.Span;
        size += Varint.Size(headers.Length);
        foreach (var h in headers) size += BytesSize(h.Key) + BytesSize(h.Value);
        return size;
    }

    private static int BytesSize(ReadOnlyMemory<byte>? bytes) =>
        bytes is { } b ? Varint.Size(b.Length) + b.Length : Varint.Size(-1);

    private static int WriteBytes(Span<byte> dest, ReadOnlyMemory<byte>? bytes)
    {
        if (bytes is not { } b) return Varint.Write(dest, -1);
        int n = Varint.Write(dest, b.Length);
        b.Span.CopyTo(dest[n..]);
        return n + b.Length;
    }
}
