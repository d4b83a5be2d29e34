namespace Golog.Protocol;

public sealed record PartitionMetadata(int Partition, long LogStartOffset, long HighWatermark);

public sealed record TopicMetadata(string Name, IReadOnlyList<PartitionMetadata> Partitions);
