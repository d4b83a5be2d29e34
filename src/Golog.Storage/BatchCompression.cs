namespace Golog.Storage;

/// <summary>How a batch's records are compressed: attributes bits 0-2 of RecordBatch v2, Kafka's numbering.</summary>
public enum BatchCompression : byte
{
    None = 0,
    Gzip = 1,
    /// <summary>Raw snappy (librdkafka) or the xerial framing of Kafka's Java client; readers accept both.</summary>
    Snappy = 2,
    /// <summary>The LZ4 frame format.</summary>
    Lz4 = 3,
    Zstd = 4,
}
