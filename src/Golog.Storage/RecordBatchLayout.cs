namespace Golog.Storage;

/// <summary>
/// Byte layout of a Kafka RecordBatch v2 (magic 2), the unit Golog stores, so that a later
/// Kafka-protocol listener can serve fetches straight from segment files. All integers big-endian.
/// </summary>
public static class RecordBatchLayout
{
    public const int BaseOffset = 0;          // int64
    public const int BatchLength = 8;         // int32: bytes after this field
    public const int PartitionLeaderEpoch = 12; // int32
    public const int Magic = 16;              // int8 = 2
    public const int Crc = 17;                // uint32 CRC-32C of [Attributes, end)
    public const int Attributes = 21;         // int16
    public const int LastOffsetDelta = 23;    // int32
    public const int BaseTimestamp = 27;      // int64
    public const int MaxTimestamp = 35;       // int64
    public const int ProducerId = 43;         // int64
    public const int ProducerEpoch = 51;      // int16
    public const int BaseSequence = 53;       // int32
    public const int RecordCount = 57;        // int32
    public const int HeaderSize = 61;

    /// <summary>Bytes before BatchLength's count starts: baseOffset + batchLength.</summary>
    public const int LogOverhead = 12;
    public const byte CurrentMagic = 2;
}
