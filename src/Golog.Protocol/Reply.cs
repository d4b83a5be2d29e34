namespace Golog.Protocol;

public sealed record FetchedRecord(long Offset, long Timestamp, string? Key, string Message, IReadOnlyDictionary<string, string>? Headers = null);

/// <summary>A framed reply as a client sees it. Members a reply type does not carry stay null.</summary>
public sealed class Reply
{
    /// <summary>The request id when it was a number (clients of this library always use numbers).</summary>
    public long? Id { get; set; }
    public bool Ok { get; set; }
    public ProtocolError? Error { get; set; }
    public string? Topic { get; set; }
    public int? Partition { get; set; }
    public int? Partitions { get; set; }
    public long? BaseOffset { get; set; }
    public long? LastOffset { get; set; }
    public long? HighWatermark { get; set; }
    public long? LogStartOffset { get; set; }
    /// <summary>The committed offset of a "committed" reply; null when the group has committed nothing.</summary>
    public long? Offset { get; set; }
    public List<FetchedRecord>? Records { get; set; }
    public List<TopicMetadata>? Topics { get; set; }
}
