using System.Buffers.Binary;
using L = Golog.Storage.RecordBatchLayout;

namespace Golog.Storage;

/// <summary>
/// Checks an already-encoded RecordBatch v2 from outside (a Kafka producer, a leader) before it is stored as it is:
/// what Kafka's broker checks, so that every stored batch is one recovery and reads accept. The stored-batch header
/// checks and the record walk are shared with <see cref="RecordBatchReader"/>.
/// </summary>
public static class IncomingBatch
{
    /// <summary>The batch's header fields, its codec among them; throws <see cref="InvalidBatchException"/> saying what is wrong.</summary>
    public static BatchInfo Check(ReadOnlySpan<byte> batch, int maxBatchBytes)
    {
        var info = CheckIntact(batch, maxBatchBytes);
        // compressed records are stored as sent (Kafka's wire serves them so); only readers that need the records
        // decompress them (RecordBatchReader.Records), so the header count stands here
        if (info.Compression == BatchCompression.None
            && RecordBatchReader.RecordsFault(RecordBatchReader.Records(batch), batch.Length - L.HeaderSize) is { } recordsFault)
            throw Corrupt(recordsFault);
        return info;
    }

    /// <summary>
    /// <see cref="Check"/> without walking the records: the header, the length and the CRC (which covers the records).
    /// Enough for a batch some broker already checked whole, such as a leader's copy sent to its followers.
    /// </summary>
    public static BatchInfo CheckIntact(ReadOnlySpan<byte> batch, int maxBatchBytes)
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
        if (info.Compression > BatchCompression.Zstd) throw Corrupt($"batch compression type {(int)info.Compression} is unknown");
        return info;
    }

    private static InvalidBatchException Corrupt(string message) => new(InvalidBatchReason.Corrupt, message);
}
