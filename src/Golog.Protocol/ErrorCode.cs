namespace Golog.Protocol;

/// <summary>The error codes of docs/protocol.md, as they appear on the wire.</summary>
public static class ErrorCode
{
    public const string InvalidJson = "invalid_json";
    public const string InvalidRequest = "invalid_request";
    public const string UnknownType = "unknown_type";
    public const string InvalidTopicName = "invalid_topic_name";
    public const string InvalidGroupName = "invalid_group_name";
    public const string UnknownTopicOrPartition = "unknown_topic_or_partition";
    public const string TopicAlreadyExists = "topic_already_exists";
    public const string OffsetOutOfRange = "offset_out_of_range";
    public const string MessageTooLarge = "message_too_large";
    public const string RequestTooLarge = "request_too_large";
    public const string StorageError = "storage_error";
    public const string BrokerShuttingDown = "broker_shutting_down";
    public const string TooManyTopics = "too_many_topics";
    public const string TooManyConnections = "too_many_connections";
}

/// <summary>A request that cannot be served: a code from <see cref="ErrorCode"/>, a sentence for humans, and, for offset errors, the log's bounds.</summary>
public sealed record ProtocolError(string Code, string Message, long? LogStartOffset = null, long? HighWatermark = null);
