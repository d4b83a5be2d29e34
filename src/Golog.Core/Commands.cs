using Golog.Core.Groups;
using Golog.Storage;

namespace Golog.Core;

/// <summary>A request to the core. Doors build these from their wire; so can an HTTP handler or a follower.</summary>
public interface ICoreCommand;

/// <summary>
/// A command with the sender's correlation number, which comes back unchanged in the <see cref="CoreReply"/>, so a
/// sender may have many commands in flight and match the answers however the work was spread across partitions.
/// </summary>
public sealed record CoreRequest(long Correlation, ICoreCommand Command);

/// <summary>
/// Append records; with no <see cref="Partition"/> the core picks one (by key, else round robin). With a
/// <see cref="Producer"/> (an idempotent producer's id, epoch and first sequence) the batch is checked by the same
/// producer-state rules as a Kafka producer's batch: a retry is answered with the original offsets, not stored twice.
/// </summary>
public sealed record ProduceCommand(string Topic, int? Partition, RecordsToAppend Records, Acks Acks = Acks.All,
    ProducerStamp? Producer = null) : ICoreCommand;

/// <summary>
/// Append a RecordBatch v2 encoded by the client (a Kafka producer), stored as it is once storage has checked it
/// (<see cref="Golog.Storage.IncomingBatch"/>); only its base offset and leader epoch are stamped. Answered
/// <see cref="Produced"/> when the flush policy's acknowledgement point is reached, as any produce.
/// </summary>
public sealed record AppendBatchCommand(string Topic, int Partition, byte[] Batch, Acks Acks = Acks.All) : ICoreCommand;

/// <summary>A new id for an idempotent producer (Kafka's, or a JSON-door client's), never given before (also across restarts); answered <see cref="ProducerIdAssigned"/>.</summary>
public sealed record InitProducerIdCommand : ICoreCommand
{
    public static readonly InitProducerIdCommand Instance = new();
}

public sealed record FetchCommand(string Topic, int Partition, long Offset, int MaxMessages, int MaxBytes, TimeSpan MaxWait) : ICoreCommand;

/// <summary>A commit; with a <see cref="Member"/> it is fenced by the group's generation and assignment.</summary>
public sealed record CommitCommand(string Group, TopicPartition Partition, long Offset, MemberGeneration? Member = null) : IGroupCommand;

public sealed record CommittedQuery(string Group, TopicPartition Partition) : IGroupCommand;

/// <summary>
/// A new topic. In a cluster its partitions get <see cref="ReplicationFactor"/> copies (default
/// golog.topics.default-replication-factor, capped by the nodes up) and acks=all needs <see cref="MinInsyncReplicas"/>
/// of them in sync; one node ignores both.
/// </summary>
public sealed record CreateTopicCommand(string Topic, int Partitions, int? ReplicationFactor = null, int? MinInsyncReplicas = null) : ICoreCommand;

/// <summary>
/// Grows an existing topic to <see cref="Partitions"/> in all (Kafka's CreatePartitions): the only way a topic gains
/// partitions once it exists, since a produce to a partition it lacks is refused. Partitions are never removed.
/// </summary>
public sealed record CreatePartitionsCommand(string Topic, int Partitions) : ICoreCommand;

/// <summary>
/// Removes a topic (Kafka's DeleteTopics): its partitions stop taking requests, their files go, and every group's
/// committed offsets for it are dropped. Requests in flight to it are answered; a produce afterwards may create the
/// topic anew, as for any unknown topic.
/// </summary>
public sealed record DeleteTopicCommand(string Topic) : ICoreCommand;

/// <summary>
/// The topics' partitions and bounds; one topic, or all with a null <see cref="Topic"/>. With
/// <see cref="CreateIfMissing"/> a missing topic is created as a first produce would create it (Kafka producers ask
/// for metadata before they produce), within golog.topics.auto-create and the topic limits.
/// </summary>
public sealed record MetadataQuery(string? Topic, bool CreateIfMissing = false) : ICoreCommand;

/// <summary>Finish what is in flight, flush and close files, then reply <see cref="Closed"/>. Later requests get broker_shutting_down.</summary>
public sealed record CloseForShutdown
{
    public static readonly CloseForShutdown Instance = new();
}

/// <summary>
/// The answer to <see cref="CloseForShutdown"/>. <see cref="Unrecovered"/>: partition directories (names under the
/// storage root) closed without ever being opened in a run that started after a crash, so their tails still need
/// the recovery scan; the clean-shutdown marker names them.
/// </summary>
public sealed record Closed(bool Clean, IReadOnlyList<string>? Unrecovered = null);

/// <summary>
/// Asks a partition to open its log now if it has not yet (partitions found on disk open on their first request):
/// for answers built from its published bounds (metadata, group lag, offset resets), which would read 0 until then.
/// </summary>
public sealed record OpenPartition
{
    public static readonly OpenPartition Instance = new();
}
