using System.Buffers.Binary;
using L = Golog.Storage.RecordBatchLayout;

namespace Golog.Storage;

/// <summary>
/// Checks an already-encoded RecordBatch v2 from outside (a Kafka producer, a leader) before it is stored as it is:
/// what Kafka's broker checks, so that every stored batch is one recovery and reads accept. The stored-batch header
/// checks are shared with <see cref="RecordBatchReader"/>; the record walk is its <see cref="RecordEnumerator"/>.
/// </summary>
public static class IncomingBatch
{
    private const int CompressionMask = 0x07; // attributes bits 0-2: none, gzip, snappy, lz4, zstd
    private const int HighestCompression = 4;

    /// <summary>The batch's header fields; throws <see cref="InvalidBatchException"/> saying what is wrong.</summary>
    public static BatchInfo Check(ReadOnlySpan<byte> batch, int maxBatchBytes)
    {
        if (batch.Length < L.HeaderSize)
            throw Corrupt($"batch of {batch.Length} bytes is shorter than a batch header ({L.HeaderSize} bytes)");
        if (batch.Length > maxBatchBytes)
            throw new InvalidBatchException(InvalidBatchReason.TooLarge,
                $"batch of {batch.Length} bytes exceeds the largest storable batch ({maxBatchBytes} bytes)");
        int length = BinaryPrimitives.ReadInt32BigEndian(batch[L.BatchLength..]);
        if ((long)length + L.LogOverhead != batch.Length)
            throw Corrupt($"batch length field says {(long)length + L.LogOverhead} bytes but {batch.Length} were given");
        if (RecordBatchReader.HeaderFault(batch, maxBatchBytes) is { } fault) throw Corrupt(fault);
        if (!RecordBatchReader.CrcMatches(batch)) throw Corrupt("batch CRC mismatch");
        RecordBatchReader.TryReadHeader(batch, maxBatchBytes, out var info);
        int compression = BinaryPrimitives.ReadInt16BigEndian(batch[L.Attributes..]) & CompressionMask;
        if (compression > HighestCompression) throw Corrupt($"batch compression type {compression} is unknown");
        // compressed records are opaque until decompressed, which storage never does: the header count stands
        if (compression == 0) CheckRecords(batch, info.RecordCount);
        return info;
    }

    /// <summary>Walks every record: offset deltas 0, 1, 2..., each record exactly filling its length, none missing or extra.</summary>
    private static void CheckRecords(ReadOnlySpan<byte> batch, int count)
    {
        long baseOffset = BinaryPrimitives.ReadInt64BigEndian(batch);
        var records = RecordBatchReader.Records(batch);
        int walked = 0;
        try
        {
            while (records.MoveNext())
            {
                var record = records.Current;
                long delta = record.Offset - baseOffset;
                if (delta != walked) throw Corrupt($"record {walked} has offset delta {delta}; deltas must run 0, 1, 2...");
                var headers = record.Headers;
                while (headers.MoveNext()) { }
                if (headers.Remaining != 0) throw Corrupt($"record {walked} has {headers.Remaining} bytes after its headers");
                walked++;
            }
        }
        catch (InvalidDataException)
        {
            throw Corrupt($"record {walked} of {count} is malformed or missing: the batch's records do not fill it as their lengths say");
        }
        if (records.Consumed != batch.Length)
            throw Corrupt($"batch has {batch.Length - records.Consumed} bytes after its {count} records: record count {count} is less than the records present");
    }

    private static InvalidBatchException Corrupt(string message) => new(InvalidBatchReason.Corrupt, message);
}
