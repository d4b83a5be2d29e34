namespace Golog.Protocol;

/// <summary>
/// The error codes of docs/protocol.md, as they appear on the wire, for clients and the parser. The broker's own
/// vocabulary is Golog.Core's BrokerErrorCode, which carries these codes and Kafka's numbers; a test keeps both in step.
/// </summary>
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
    // Consumer-group coordination.
    public const string UnknownMemberId = "unknown_member_id";
    public const string IllegalGeneration = "illegal_generation";
    public const string RebalanceInProgress = "rebalance_in_progress";
    public const string InvalidSessionTimeout = "invalid_session_timeout";
    public const string NotAssigned = "not_assigned";                     // Golog's own: the member does not own the partition
    public const string UnknownGroup = "unknown_group";                   // describe of a group the broker has never seen
    public const string InconsistentGroupProtocol = "inconsistent_group_protocol"; // Kafka members with no protocol in common
    public const string GroupKindConflict = "group_kind_conflict";       // join_group to a group of Kafka consumers (they assign themselves)
    public const string OffsetMetadataTooLarge = "offset_metadata_too_large"; // Kafka door only: OffsetCommit metadata over 4096
    public const string GroupNotEmpty = "group_not_empty";                // reset_offsets while the group has members
    public const string InvalidPartitions = "invalid_partitions";         // create_partitions to no more than the topic has
    // Met on the Kafka door (its clients see the Kafka numbers); listed so every core error has its JSON spelling.
    public const string CorruptMessage = "corrupt_message";
    public const string InvalidRecord = "invalid_record";
    public const string InvalidRequiredAcks = "invalid_required_acks";
    public const string UnsupportedCompressionType = "unsupported_compression_type";
    public const string TransactionsNotSupported = "transactions_not_supported";
    public const string InvalidReplicationFactor = "invalid_replication_factor";
    public const string InvalidReplicaAssignment = "invalid_replica_assignment";
    public const string InvalidConfig = "invalid_config";
    public const string TimestampLookupUnsupported = "timestamp_lookup_unsupported";
    public const string OutOfOrderSequenceNumber = "out_of_order_sequence_number";
    public const string InvalidProducerEpoch = "invalid_producer_epoch";
    // Replication: the partition is led by another node (the error says which, or null during an election), or
    // acks=all cannot be met because too few replicas are in sync.
    public const string NotLeader = "not_leader";
    public const string NotEnoughReplicas = "not_enough_replicas";
    // Groups in a cluster: the group's coordinator is another node (the error says which, or null while none is), or
    // the coordinator is still reading the group's committed offsets. Both pass; a client asks again.
    public const string NotCoordinator = "not_coordinator";
    public const string CoordinatorLoading = "coordinator_loading";
}

/// <summary>
/// A request that cannot be served: a code from <see cref="ErrorCode"/>, a sentence for humans, for offset errors the
/// log's bounds, for not_leader the node that leads the partition (null: unknown, an election is under way), and for
/// not_coordinator the group's coordinator (null: none at the moment).
/// </summary>
public sealed record ProtocolError(string Code, string Message, long? LogStartOffset = null, long? HighWatermark = null)
{
    public NodeAddress? Leader { get; init; }
    public NodeAddress? Coordinator { get; init; }
}
