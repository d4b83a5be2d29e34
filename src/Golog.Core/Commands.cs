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

/// <summary>Append records; with no <see cref="Partition"/> the core picks one (by key, else round robin).</summary>
public sealed record ProduceCommand(string Topic, int? Partition, RecordsToAppend Records) : ICoreCommand;

public sealed record FetchCommand(string Topic, int Partition, long Offset, int MaxMessages, int MaxBytes, TimeSpan MaxWait) : ICoreCommand;

/// <summary>A commit; with a <see cref="Member"/> it is fenced by the group's generation and assignment.</summary>
public sealed record CommitCommand(string Group, TopicPartition Partition, long Offset, MemberGeneration? Member = null) : IGroupCommand;

public sealed record CommittedQuery(string Group, TopicPartition Partition) : IGroupCommand;

public sealed record CreateTopicCommand(string Topic, int Partitions) : ICoreCommand;

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

public sealed record Closed(bool Clean);
