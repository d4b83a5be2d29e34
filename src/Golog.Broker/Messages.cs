using Golog.Broker.Groups;
using Golog.Protocol;
using Golog.Storage;

namespace Golog.Broker;

// Requests from a connection. Seq is the connection's request number: replies carry it back so the connection can
// answer in request order however the work was spread across partitions.

public sealed record ProduceCommand(long Seq, string Topic, int? Partition, RecordsToAppend Records);

public sealed record FetchCommand(long Seq, string Topic, int Partition, long Offset, int MaxMessages, int MaxBytes, TimeSpan MaxWait);

/// <summary>A commit; with a <see cref="Member"/> it is fenced by the group's generation and assignment.</summary>
public sealed record CommitCommand(long Seq, string Group, TopicPartition Partition, long Offset, MemberGeneration? Member = null) : IGroupCommand;

public sealed record CommittedQuery(long Seq, string Group, TopicPartition Partition) : IGroupCommand;

public sealed record CreateTopicCommand(long Seq, string Topic, int Partitions);

public sealed record MetadataQuery(long Seq, string? Topic);

// Replies to a connection.

public sealed record Produced(long Seq, string Topic, int Partition, long BaseOffset, long LastOffset);

/// <summary>Batches read from the log; the connection decodes and encodes them, off the partition's thread.</summary>
public sealed record Fetched(long Seq, string Topic, int Partition, ReadResult Data, long FromOffset, int MaxMessages,
    long HighWatermark, long LogStartOffset);

public sealed record CommitDone(long Seq);

public sealed record CommittedOffset(long Seq, long? Offset);

public sealed record TopicCreated(long Seq, string Topic, int Partitions);

public sealed record MetadataResult(long Seq, IReadOnlyList<TopicMetadata> Topics);

public sealed record RequestFailed(long Seq, ProtocolError Error);

// Lifecycle.

/// <summary>Finish what is in flight, flush and close files, then reply <see cref="Closed"/>. Later requests get broker_shutting_down.</summary>
public sealed record CloseForShutdown
{
    public static readonly CloseForShutdown Instance = new();
}

public sealed record Closed(bool Clean);
