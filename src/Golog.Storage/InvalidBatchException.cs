namespace Golog.Storage;

public enum InvalidBatchReason
{
    /// <summary>The bytes are not a well-formed RecordBatch v2 (Kafka's CORRUPT_MESSAGE).</summary>
    Corrupt,
    /// <summary>The batch is well-formed but larger than the log stores (Kafka's MESSAGE_TOO_LARGE).</summary>
    TooLarge,
}

/// <summary>An incoming encoded batch was refused before anything was appended; the message says why in one sentence.</summary>
public sealed class InvalidBatchException(InvalidBatchReason reason, string message) : Exception(message)
{
    public InvalidBatchReason Reason { get; } = reason;
}
