using System.Buffers.Binary;
using System.Text;
using L = Golog.Storage.RecordBatchLayout;

namespace Golog.Storage.Tests;

/// <summary>Encoded batches as a Kafka producer would send them, and ways to damage them while keeping the CRC right.</summary>
public static class BatchBytes
{
    public const long ProducerId = 4711;
    public const short ProducerEpoch = 3;
    public const int BaseSequence = 17;

    /// <summary>An idempotent producer's batch: per-record keys, headers and timestamps, producer fields set, CRC correct.</summary>
    public static byte[] Producer(params string[] values)
    {
        var records = values.Select((v, i) => new RecordToAppend(
            Encoding.UTF8.GetBytes(v), Encoding.UTF8.GetBytes($"key-{i}"),
            new RecordHeader[] { new(Encoding.UTF8.GetBytes("h"), Encoding.UTF8.GetBytes($"hv-{i}")) },
            LogTestExtensions.Timestamp + 10 * i)).ToArray();
        var appended = new RecordsToAppend(records);
        var batch = new byte[RecordBatchWriter.Measure(appended, 0)];
        RecordBatchWriter.Write(batch, baseOffset: 0, timestampMs: 0, leaderEpoch: -1, appended);
        BinaryPrimitives.WriteInt64BigEndian(batch.AsSpan(L.ProducerId), ProducerId);
        BinaryPrimitives.WriteInt16BigEndian(batch.AsSpan(L.ProducerEpoch), ProducerEpoch);
        BinaryPrimitives.WriteInt32BigEndian(batch.AsSpan(L.BaseSequence), BaseSequence);
        return Recrc(batch);
    }

    /// <summary>A batch of <paramref name="records"/> records from producer <paramref name="producerId"/> at that epoch, starting at that sequence.</summary>
    /// <remarks>The max timestamp (what producer expiry measures from) is now unless given.</remarks>
    public static byte[] Idempotent(long producerId, short epoch, int firstSequence, int records = 1, long? maxTimestamp = null)
    {
        var batch = Producer(Enumerable.Range(0, records).Select(i => $"p{producerId}-e{epoch}-s{firstSequence}-{i}").ToArray());
        BinaryPrimitives.WriteInt64BigEndian(batch.AsSpan(L.ProducerId), producerId);
        BinaryPrimitives.WriteInt16BigEndian(batch.AsSpan(L.ProducerEpoch), epoch);
        BinaryPrimitives.WriteInt32BigEndian(batch.AsSpan(L.BaseSequence), firstSequence);
        BinaryPrimitives.WriteInt64BigEndian(batch.AsSpan(L.MaxTimestamp), maxTimestamp ?? DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        return Recrc(batch);
    }

    /// <summary>
    /// <see cref="Producer"/>'s batch with its records block replaced by <paramref name="compress"/>'s output and the
    /// codec set in its attributes, as a producer compressing with that codec sends it.
    /// </summary>
    public static byte[] Compressed(BatchCompression codec, Func<byte[], byte[]> compress, params string[] values)
    {
        var plain = Producer(values);
        var block = compress(plain[L.HeaderSize..]);
        var batch = new byte[L.HeaderSize + block.Length];
        plain.AsSpan(0, L.HeaderSize).CopyTo(batch);
        block.CopyTo(batch, L.HeaderSize);
        short attributes = BinaryPrimitives.ReadInt16BigEndian(batch.AsSpan(L.Attributes));
        BinaryPrimitives.WriteInt16BigEndian(batch.AsSpan(L.Attributes), (short)((attributes & ~7) | (int)codec));
        return Recrc(FixLength(batch));
    }

    /// <summary>Recomputes the CRC after a change, so that a check other than the CRC is what must notice it.</summary>
    public static byte[] Recrc(byte[] batch)
    {
        BinaryPrimitives.WriteUInt32BigEndian(batch.AsSpan(L.Crc), Crc32C.Compute(batch.AsSpan(L.Attributes)));
        return batch;
    }

    public static byte[] WithInt32(byte[] batch, int field, int value)
    {
        var copy = (byte[])batch.Clone();
        BinaryPrimitives.WriteInt32BigEndian(copy.AsSpan(field), value);
        return copy;
    }

    /// <summary>A batch claiming a different record count (and matching last offset delta) than the records it holds.</summary>
    public static byte[] WithRecordCount(byte[] batch, int count) =>
        Recrc(WithInt32(WithInt32(batch, L.RecordCount, count), L.LastOffsetDelta, count - 1));

    /// <summary>Sets the batch length field to fit the array after records were added or removed.</summary>
    public static byte[] FixLength(byte[] batch) => WithInt32(batch, L.BatchLength, batch.Length - L.LogOverhead);
}
