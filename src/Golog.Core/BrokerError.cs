using System.Reflection;

namespace Golog.Core;

/// <summary>
/// Every way a request can fail, in the broker's own terms. Each member carries the code every door must answer
/// with (<see cref="WireCodesAttribute"/>), so the JSON-lines door and the Kafka door map an error identically;
/// docs/protocol.md has the table. Core code only ever uses the enum.
/// </summary>
public enum BrokerErrorCode
{
    [WireCodes("invalid_json", 42)] InvalidJson,
    [WireCodes("invalid_request", 42)] InvalidRequest,
    [WireCodes("unknown_type", 42)] UnknownType,
    [WireCodes("invalid_topic_name", 17)] InvalidTopicName,
    [WireCodes("invalid_group_name", 24)] InvalidGroupName,
    [WireCodes("unknown_topic_or_partition", 3)] UnknownTopicOrPartition,
    [WireCodes("topic_already_exists", 36)] TopicAlreadyExists,
    [WireCodes("offset_out_of_range", 1)] OffsetOutOfRange,
    [WireCodes("message_too_large", 10)] MessageTooLarge,
    [WireCodes("request_too_large", 18)] RequestTooLarge,
    [WireCodes("storage_error", 56)] StorageError,
    [WireCodes("broker_shutting_down", 6)] BrokerShuttingDown,
    [WireCodes("too_many_topics", 44)] TooManyTopics,
    [WireCodes("too_many_connections", -1)] TooManyConnections,
    [WireCodes("unknown_member_id", 25)] UnknownMemberId,
    [WireCodes("illegal_generation", 22)] IllegalGeneration,
    [WireCodes("rebalance_in_progress", 27)] RebalanceInProgress,
    [WireCodes("invalid_session_timeout", 26)] InvalidSessionTimeout,
    [WireCodes("not_assigned", 22)] NotAssigned,
    [WireCodes("unknown_group", 69)] UnknownGroup,
    [WireCodes("corrupt_message", 2)] CorruptMessage,
    [WireCodes("invalid_record", 87)] InvalidRecord,
    [WireCodes("invalid_required_acks", 21)] InvalidRequiredAcks,
    [WireCodes("unsupported_compression_type", 76)] UnsupportedCompressionType,
    [WireCodes("transactions_not_supported", 53)] TransactionsNotSupported,
    [WireCodes("invalid_partitions", 37)] InvalidPartitions,
    [WireCodes("invalid_replication_factor", 38)] InvalidReplicationFactor,
    [WireCodes("invalid_replica_assignment", 39)] InvalidReplicaAssignment,
    [WireCodes("invalid_config", 40)] InvalidConfig,
    [WireCodes("timestamp_lookup_unsupported", 42)] TimestampLookupUnsupported,
    [WireCodes("out_of_order_sequence_number", 45)] OutOfOrderSequenceNumber,
    [WireCodes("invalid_producer_epoch", 47)] InvalidProducerEpoch,
    [WireCodes("inconsistent_group_protocol", 23)] InconsistentGroupProtocol,
    [WireCodes("group_kind_conflict", 23)] GroupKindConflict,
    [WireCodes("offset_metadata_too_large", 12)] OffsetMetadataTooLarge,
    [WireCodes("group_not_empty", 68)] GroupNotEmpty,
    [WireCodes("not_leader", 6)] NotLeader,
    [WireCodes("not_enough_replicas", 19)] NotEnoughReplicas,
    [WireCodes("not_coordinator", 16)] NotCoordinator,
    [WireCodes("coordinator_loading", 14)] CoordinatorLoading,
}

/// <summary>The codes a door answers a <see cref="BrokerErrorCode"/> with: the JSON-lines "error" code and Kafka's error number.</summary>
[AttributeUsage(AttributeTargets.Field)]
public sealed class WireCodesAttribute(string json, short kafka) : Attribute
{
    public string Json { get; } = json;
    public short Kafka { get; } = kafka;
}

public static class BrokerErrorCodes
{
    private static readonly WireCodesAttribute[] Codes = Enum.GetValues<BrokerErrorCode>()
        .Select(c => typeof(BrokerErrorCode).GetField(c.ToString())!.GetCustomAttribute<WireCodesAttribute>()
                     ?? throw new InvalidOperationException($"{c} has no wire codes"))
        .ToArray();

    public static WireCodesAttribute Wire(this BrokerErrorCode code) => Codes[(int)code];
}

/// <summary>
/// A request that cannot be served: what went wrong, a sentence for the person reading it, for offset errors the
/// log's bounds so a client can move to a valid offset, for not_leader the node that leads (null while none does), and
/// for not_coordinator the group's coordinator (null while its offsets partition has no leader).
/// </summary>
public sealed record BrokerError(BrokerErrorCode Code, string Message, long? LogStartOffset = null, long? HighWatermark = null,
    ClusterMember? Leader = null, ClusterMember? Coordinator = null)
{
    public static readonly BrokerError ShuttingDown = new(BrokerErrorCode.BrokerShuttingDown, "the broker is shutting down");

    public static BrokerError Storage(Exception e) => new(BrokerErrorCode.StorageError, "storage failure: " + e.Message);

    public static BrokerError InvalidName(string kind, string name) => new(
        kind == "group" ? BrokerErrorCode.InvalidGroupName : BrokerErrorCode.InvalidTopicName,
        Golog.Storage.Names.Explain(kind, name));

    public static BrokerError UnknownPartition(string topic, int? partition) => new(BrokerErrorCode.UnknownTopicOrPartition,
        partition is { } p ? $"unknown topic or partition {topic}-{p}" : $"unknown topic \"{topic}\"");

    /// <summary>A partition past the end of an existing topic: topics never grow implicitly (Kafka's rule), so the message says how to grow it.</summary>
    public static BrokerError NoSuchPartition(string topic, int partition, int partitions) => new(BrokerErrorCode.UnknownTopicOrPartition,
        $"unknown topic or partition {topic}-{partition}: topic \"{topic}\" has {partitions} partitions (0 to {partitions - 1}); " +
        "add partitions explicitly (create_partitions, or golog topics alter --partitions N)");

    public static BrokerError UnknownMember(string group, string memberId) => new(BrokerErrorCode.UnknownMemberId,
        $"member \"{memberId}\" is not in group {group} (it left, or its session expired): join again without a member_id");
}
