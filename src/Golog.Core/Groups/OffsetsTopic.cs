namespace Golog.Core.Groups;

/// <summary>
/// The internal topic that holds a cluster's committed offsets (Kafka's __consumer_offsets). A group's commits are
/// records of one of its partitions, picked from the group name alone, so every node agrees where a group lives; the
/// leader of that partition is the group's coordinator.
/// </summary>
public static class OffsetsTopic
{
    public const string Name = "__consumer_offsets";

    /// <summary>
    /// Kafka's choice, abs(groupId.hashCode) % partitions, with Java's String.hashCode (31-polynomial over UTF-16
    /// units): the same in every process and every run (string.GetHashCode is randomised per process), and the same
    /// partition a Kafka broker with that many offsets partitions would pick.
    /// </summary>
    public static int PartitionFor(string group, int partitions)
    {
        int hash = 0;
        foreach (char c in group) hash = unchecked(31 * hash + c);
        return (hash & 0x7fffffff) % partitions; // Kafka's Utils.abs: int.MinValue maps to 0, not to itself
    }
}
