namespace Golog.Protocol;

public enum RequestType
{
    Produce, Fetch, Commit, Committed, CreateTopic, Metadata, JoinGroup, Heartbeat, LeaveGroup, DescribeGroup, ListGroups,
    CreatePartitions, DeleteTopic, ResetOffsets, InitProducerId, FindCoordinator,
}

/// <summary>
/// The id of a framed request exactly as the client wrote it (a JSON number or a JSON string with its quotes),
/// echoed back byte for byte so clients may use any id scheme.
/// </summary>
/// <summary>How a fetch reply carries its records: as JSON objects, or as the stored RecordBatch v2 bytes in base64.</summary>
public enum FetchFormat { Records, Batches }

public readonly record struct RequestId(byte[] RawJson)
{
    public override string ToString() => System.Text.Encoding.UTF8.GetString(RawJson);
}

/// <summary>
/// A decoded request line. Requests without an id are seed style and take the seed's defaults (partition 0,
/// offset 0); framed requests must spell out what they mean. Message payloads are UTF-8 slices of one buffer.
/// </summary>
public sealed class Request
{
    public RequestType Type { get; init; }
    public RequestId? Id { get; init; }
    public bool IsFramed => Id is not null;
    public string? Topic { get; init; }
    public int? Partition { get; init; }
    public ReadOnlyMemory<byte>[] Messages { get; init; } = [];
    public ReadOnlyMemory<byte>? Key { get; init; }
    public KeyValuePair<ReadOnlyMemory<byte>, ReadOnlyMemory<byte>>[] Headers { get; init; } = [];
    public long? Offset { get; init; }
    /// <summary>produce: when to answer; "all" when the request does not say.</summary>
    public AckLevel Acks { get; init; }
    /// <summary>produce: an idempotent producer's id, epoch and first sequence, when given (all three or none).</summary>
    public ProducerSequence? Producer { get; init; }
    public int? MaxMessages { get; init; }
    public int? MaxBytes { get; init; }
    public int? MaxWaitMs { get; init; }
    /// <summary>fetch: "records" (the default) or "batches".</summary>
    public FetchFormat Format { get; init; }
    public string? Group { get; init; }
    public int? Partitions { get; init; }
    /// <summary>create_topic: copies of each partition in a cluster (default golog.topics.default-replication-factor).</summary>
    public int? ReplicationFactor { get; init; }
    /// <summary>create_topic: in-sync replicas an acks=all produce needs (default 2 with 3 or more copies, else 1).</summary>
    public int? MinInsyncReplicas { get; init; }
    /// <summary>join_group: the topics the member subscribes to.</summary>
    public string[] Topics { get; init; } = [];
    /// <summary>The member id the broker gave at join (join_group: empty or absent for a new member).</summary>
    public string? MemberId { get; init; }
    public int? GenerationId { get; init; }
    public int? SessionTimeoutMs { get; init; }
    public string? ClientId { get; init; }
    /// <summary>reset_offsets: "earliest", "latest" or "offset" (then <see cref="Offset"/> says which).</summary>
    public string? To { get; init; }
    public bool DryRun { get; init; }
}

/// <summary>What the parser made of a line: a request, or an error to send back in the style the line asked for.</summary>
public readonly record struct ParseResult(Request? Request, ProtocolError? Error, RequestId? Id)
{
    public bool IsFramed => Id is not null;
}
