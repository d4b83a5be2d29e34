using Akka.Event;
using Golog.Storage;

namespace Golog.Core;

/// <summary>An answer from the core.</summary>
public interface ICoreResult;

/// <summary>
/// The answer to a <see cref="CoreRequest"/>, carrying its correlation number. A client that disconnected with
/// requests in flight leaves these undeliverable; that is normal, so they are not logged as dead letters.
/// </summary>
public sealed record CoreReply(long Correlation, ICoreResult Result) : IDeadLetterSuppression;

public sealed record Failed(BrokerError Error) : ICoreResult;

public sealed record Produced(string Topic, int Partition, long BaseOffset, long LastOffset) : ICoreResult;

/// <summary>
/// Batches read from the log, every whole one already CRC-checked by storage; records below <see cref="FromOffset"/>
/// (the start of the first batch) and past <see cref="MaxMessages"/> are the door's to skip. The door decodes them
/// off the partition's thread.
/// </summary>
public sealed record Fetched(string Topic, int Partition, ReadResult Data, long FromOffset, int MaxMessages,
    long HighWatermark, long LogStartOffset) : ICoreResult;

public sealed record OffsetCommitted : ICoreResult
{
    public static readonly OffsetCommitted Instance = new();
}

/// <summary>A group's committed offset for one partition; null when it has none.</summary>
public sealed record CommittedOffset(long? Offset) : ICoreResult;

public sealed record TopicCreated(string Topic, int Partitions) : ICoreResult;

/// <summary>The answer to <see cref="CreatePartitionsCommand"/>: the topic's partition count now.</summary>
public sealed record PartitionsCreated(string Topic, int Partitions) : ICoreResult;

/// <summary>The answer to <see cref="DeleteTopicCommand"/>, once the files are gone and the groups' offsets dropped.</summary>
public sealed record TopicDeleted(string Topic, int Partitions) : ICoreResult;

public sealed record PartitionBounds(int Partition, long LogStartOffset, long HighWatermark);

/// <summary>A topic's partitions: their bounds and, in <see cref="Leaders"/> (same order), who leads and replicates each.</summary>
public sealed record TopicBounds(string Name, IReadOnlyList<PartitionBounds> Partitions, IReadOnlyList<PartitionLeadership>? Leaders = null);

/// <summary>The topics asked for, with the brokers of the cluster (one on a single node) and the controller's node id.</summary>
public sealed record MetadataResult(IReadOnlyList<TopicBounds> Topics) : ICoreResult
{
    public IReadOnlyList<ClusterMember> Brokers { get; init; } = [];
    public int Controller { get; init; }
}

public sealed record ProducerIdAssigned(long ProducerId, short Epoch) : ICoreResult;
