using System.Buffers.Binary;
using L = Golog.Storage.RecordBatchLayout;

namespace Golog.Storage;

/// <summary>
/// The idempotent-producer fields of one batch header, with the offsets the batch has in the log (its base offset
/// as stored or about to be stamped). Everything comes from the 61-byte header: the records are never read.
/// </summary>
public readonly record struct ProducerBatch(
    long ProducerId, short Epoch, int FirstSequence, int LastSequence, long FirstOffset, long LastOffset, long MaxTimestamp)
{
    /// <summary>Kafka's "no producer id": batches of producers that are not idempotent carry it and are never checked.</summary>
    public const long NoProducerId = -1;

    public bool HasProducerId => ProducerId >= 0;

    /// <summary>Reads the fields of the batch header at the start of <paramref name="header"/>, placed at <paramref name="baseOffset"/>.</summary>
    public static ProducerBatch Read(ReadOnlySpan<byte> header, long baseOffset)
    {
        int lastDelta = BinaryPrimitives.ReadInt32BigEndian(header[L.LastOffsetDelta..]);
        int firstSequence = BinaryPrimitives.ReadInt32BigEndian(header[L.BaseSequence..]);
        return new ProducerBatch(
            BinaryPrimitives.ReadInt64BigEndian(header[L.ProducerId..]),
            BinaryPrimitives.ReadInt16BigEndian(header[L.ProducerEpoch..]),
            firstSequence,
            IncrementSequence(firstSequence, lastDelta),
            baseOffset,
            baseOffset + lastDelta,
            BinaryPrimitives.ReadInt64BigEndian(header[L.MaxTimestamp..]));
    }

    /// <summary>Sequences wrap from int32 max to 0 (Kafka's DefaultRecordBatch.incrementSequence).</summary>
    public static int IncrementSequence(int sequence, int increment) =>
        sequence > int.MaxValue - increment ? increment - (int.MaxValue - sequence) - 1 : sequence + increment;
}
