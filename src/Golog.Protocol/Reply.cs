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
    /// <summary>metadata: the cluster's nodes (null from a broker before replication) and the controller's node id.</summary>
    public List<BrokerNode>? Brokers { get; set; }
    public int? Controller { get; set; }
    /// <summary>find_coordinator: the node coordinating the group; null while none does (or from another reply type).</summary>
    public NodeAddress? Coordinator { get; set; }
    /// <summary>init_producer_id: the new producer's id and epoch.</summary>
    public long? ProducerId { get; set; }
    public short? ProducerEpoch { get; set; }
    // consumer groups
    public string? Group { get; set; }
    public int? GenerationId { get; set; }
    public string? MemberId { get; set; }
    public string? Protocol { get; set; }
    public string? Kind { get; set; }
    public int? HeartbeatIntervalMs { get; set; }
    public int? SessionTimeoutMs { get; set; }
    public List<TopicAssignment>? Assignment { get; set; }
    public string? State { get; set; }
    public List<GroupMemberInfo>? Members { get; set; }
    public List<GroupPartitionOffset>? Offsets { get; set; }
    public List<GroupListing>? Groups { get; set; }
    public bool? DryRun { get; set; }
    public List<OffsetResetEntry>? Reset { get; set; }
}
