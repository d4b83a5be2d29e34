namespace Golog.Storage;

/// <summary>One partition of a topic; prints as its directory name, "{topic}-{partition}".</summary>
public readonly record struct TopicPartition(string Topic, int Partition)
{
    public override string ToString() => $"{Topic}-{Partition}";
}
