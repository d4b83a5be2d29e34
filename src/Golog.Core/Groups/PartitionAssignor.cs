using Golog.Storage;

namespace Golog.Core.Groups;

/// <summary>
/// Splits the partitions of the subscribed topics among a group's members, each partition to exactly one member
/// subscribed to its topic. Deterministic: members are taken in member-id order, as Kafka's assignors do.
/// </summary>
public abstract class PartitionAssignor
{
    /// <summary>The strategy's name, as in golog.groups.assignment-strategy and in Kafka's protocol names.</summary>
    public abstract string Name { get; }

    /// <param name="subscriptions">member id → the topics it subscribes to</param>
    /// <param name="partitionCounts">topic → its number of partitions; topics missing here have none yet</param>
    public abstract Dictionary<string, List<TopicPartition>> Assign(
        IReadOnlyDictionary<string, IReadOnlyList<string>> subscriptions, IReadOnlyDictionary<string, int> partitionCounts);

    /// <summary>"range" or "round-robin" ("roundrobin", Kafka's spelling, is accepted too).</summary>
    public static PartitionAssignor Named(string name) => name.Trim().ToLowerInvariant() switch
    {
        "range" => new RangeAssignor(),
        "round-robin" or "roundrobin" => new RoundRobinAssignor(),
        _ => throw new ArgumentException($"unknown assignment strategy \"{name}\": use range or round-robin"),
    };

    protected static Dictionary<string, List<TopicPartition>> Empty(IEnumerable<string> members) =>
        members.ToDictionary(m => m, _ => new List<TopicPartition>());

    protected static IEnumerable<string> Subscribers(IReadOnlyDictionary<string, IReadOnlyList<string>> subscriptions, string topic) =>
        subscriptions.Where(s => s.Value.Contains(topic)).Select(s => s.Key).Order(StringComparer.Ordinal);
}

/// <summary>
/// Kafka's RangeAssignor: per topic, the subscribers in id order take consecutive ranges; the first
/// (partitions % subscribers) of them take one extra. Co-partitioned topics land on the same member.
/// </summary>
public sealed class RangeAssignor : PartitionAssignor
{
    public override string Name => "range";

    public override Dictionary<string, List<TopicPartition>> Assign(
        IReadOnlyDictionary<string, IReadOnlyList<string>> subscriptions, IReadOnlyDictionary<string, int> partitionCounts)
    {
        var result = Empty(subscriptions.Keys);
        foreach (var topic in subscriptions.Values.SelectMany(t => t).Distinct().Order(StringComparer.Ordinal))
        {
            var members = Subscribers(subscriptions, topic).ToList();
            int count = partitionCounts.GetValueOrDefault(topic);
            int each = count / members.Count, extra = count % members.Count, next = 0;
            for (int i = 0; i < members.Count; i++)
            {
                int take = each + (i < extra ? 1 : 0);
                for (int p = next; p < next + take; p++) result[members[i]].Add(new TopicPartition(topic, p));
                next += take;
            }
        }
        return result;
    }
}

/// <summary>
/// Kafka's RoundRobinAssignor: every subscribed partition in (topic, partition) order goes to the next member, in
/// id order and circularly, that subscribes to its topic. Spreads partitions evenly across topics.
/// </summary>
public sealed class RoundRobinAssignor : PartitionAssignor
{
    public override string Name => "round-robin";

    public override Dictionary<string, List<TopicPartition>> Assign(
        IReadOnlyDictionary<string, IReadOnlyList<string>> subscriptions, IReadOnlyDictionary<string, int> partitionCounts)
    {
        var result = Empty(subscriptions.Keys);
        var members = subscriptions.Keys.Order(StringComparer.Ordinal).ToList();
        int cursor = 0;
        foreach (var topic in subscriptions.Values.SelectMany(t => t).Distinct().Order(StringComparer.Ordinal))
        {
            for (int p = 0; p < partitionCounts.GetValueOrDefault(topic); p++)
            {
                // some member subscribes to this topic, so the scan ends within one lap
                while (!subscriptions[members[cursor % members.Count]].Contains(topic)) cursor++;
                result[members[cursor % members.Count]].Add(new TopicPartition(topic, p));
                cursor++;
            }
        }
        return result;
    }
}
