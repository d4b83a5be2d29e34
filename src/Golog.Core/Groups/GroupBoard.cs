using System.Collections.Concurrent;
using Golog.Storage;

namespace Golog.Core.Groups;

/// <summary>What one group actor last published: its member count and its durable committed offsets.</summary>
public sealed record GroupStatus(int Members, IReadOnlyDictionary<TopicPartition, long> Committed);

/// <summary>
/// Every group's <see cref="GroupStatus"/>, published by its actor after each change (a durable commit, a
/// generation), read by gauges on any thread without a round trip through the group's mailbox.
/// </summary>
public sealed class GroupBoard
{
    private readonly ConcurrentDictionary<string, GroupStatus> _groups = new(StringComparer.Ordinal);

    public void Publish(string group, int members, IReadOnlyDictionary<TopicPartition, long> committed) =>
        _groups[group] = new GroupStatus(members, new Dictionary<TopicPartition, long>(committed));

    /// <summary>A group coordinated elsewhere now (a cluster's coordinator moved): its gauges are the new coordinator's.</summary>
    public void Remove(string group) => _groups.TryRemove(group, out _);

    public IReadOnlyList<KeyValuePair<string, GroupStatus>> Snapshot() => _groups.ToArray();
}
