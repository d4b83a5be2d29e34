using System.Collections.Immutable;
using System.Text.Json;
using Golog.Core;

namespace Golog.Cluster;

/// <summary>One partition's replicas, its leader (or <see cref="PartitionLeadership.NoLeader"/>), leader epoch and ISR.</summary>
public sealed record PartitionAssignment(IReadOnlyList<int> Replicas, int Leader, int Epoch, IReadOnlyList<int> Isr);

public sealed record TopicAssignment(IReadOnlyList<PartitionAssignment> Partitions, int MinInsyncReplicas);

/// <summary>
/// What the controller decides and every node follows: the brokers' door addresses, each topic's partitions with
/// their replicas, leaders, epochs and ISRs. Immutable; the controller writes a new version for every change
/// (Distributed Data, majority writes), as one JSON document so that any node and any Golog version reads it alike.
/// </summary>
public sealed record ClusterMetadata(long Version, int Controller, ImmutableSortedDictionary<int, ClusterMember> Brokers,
    ImmutableSortedDictionary<string, TopicAssignment> Topics)
{
    public static readonly ClusterMetadata Empty = new(0, PartitionLeadership.NoLeader, ImmutableSortedDictionary<int, ClusterMember>.Empty,
        ImmutableSortedDictionary<string, TopicAssignment>.Empty.WithComparers(StringComparer.Ordinal));

    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    private sealed record Document(long Version, int Controller, List<ClusterMember> Brokers, Dictionary<string, TopicAssignment> Topics);

    public string ToJson() => JsonSerializer.Serialize(new Document(Version, Controller, [.. Brokers.Values], Topics.ToDictionary()), Json);

    public static ClusterMetadata FromJson(string json)
    {
        var d = JsonSerializer.Deserialize<Document>(json, Json) ?? throw new JsonException("empty cluster metadata");
        return new ClusterMetadata(d.Version, d.Controller, d.Brokers.ToImmutableSortedDictionary(b => b.NodeId, b => b),
            d.Topics.ToImmutableSortedDictionary(StringComparer.Ordinal));
    }

    public PartitionLeadership LeadershipOf(TopicAssignment topic, int partition)
    {
        var p = topic.Partitions[partition];
        return new PartitionLeadership(p.Leader, p.Epoch, p.Replicas, p.Isr, topic.MinInsyncReplicas);
    }
}
