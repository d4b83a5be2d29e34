using System.Collections.Immutable;
using Golog.Core;

namespace Golog.Cluster.Tests;

public sealed class ClusterMetadataTests
{
    private static ClusterMetadata Sample() => new(
        Version: 42,
        Controller: 2,
        Brokers: ImmutableSortedDictionary.CreateRange(new Dictionary<int, ClusterMember>
        {
            [1] = new(1, "10.0.0.1", 9092, 9093),
            [2] = new(2, "broker-2.example", 19092, 19093),
            [3] = new(3, "10.0.0.3", 9092, 9093, ClusterMember.Unreachable),
        }),
        Topics: ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, new Dictionary<string, TopicAssignment>
        {
            ["Orders.EU"] = new([new([1, 2, 3], 1, 4, [1, 3]), new([2, 3, 1], PartitionLeadership.NoLeader, 7, [2])], 2),
            ["audit_log"] = new([new([3], 3, 0, [3])], 1),
        }));

    /// <summary>Everything the metadata says, as comparable lines (its records hold lists, which compare by reference).</summary>
    private static List<string> Said(ClusterMetadata m) =>
    [
        $"version {m.Version}, controller {m.Controller}",
        .. m.Brokers.Select(b => $"broker {b.Key}: {b.Value}"),
        .. m.Topics.SelectMany(t => t.Value.Partitions.Select((p, i) =>
            $"{t.Key}-{i}: replicas {string.Join(",", p.Replicas)}, leader {p.Leader}, epoch {p.Epoch}, isr {string.Join(",", p.Isr)}, min.insync {t.Value.MinInsyncReplicas}")),
    ];

    [Fact]
    public void Metadata_read_back_from_its_json_says_exactly_what_was_written()
    {
        var written = Sample();
        var read = ClusterMetadata.FromJson(written.ToJson());

        Assert.Equal(Said(written), Said(read));
        Assert.Equal(written.Brokers.Values, read.Brokers.Values); // members are plain values: equal as records
        Assert.Equal(["Orders.EU", "audit_log"], read.Topics.Keys); // names kept as they are, ordinal order
    }

    [Fact]
    public void Empty_metadata_round_trips()
    {
        var read = ClusterMetadata.FromJson(ClusterMetadata.Empty.ToJson());
        Assert.Equal(Said(ClusterMetadata.Empty), Said(read));
        Assert.Empty(read.Topics);
        Assert.Equal(PartitionLeadership.NoLeader, read.Controller);
    }

    [Fact]
    public void A_document_in_the_stored_format_is_read_by_this_version()
    {
        // the format other nodes (and this node's durable store, across upgrades) hold: field names are the contract
        const string stored = """
            {"version":3,"controller":1,
             "brokers":[{"node_id":1,"host":"h1","port":9092,"kafka_port":9093,"status":"up"}],
             "topics":{"t":{"partitions":[{"replicas":[1],"leader":1,"epoch":2,"isr":[1]}],"min_insync_replicas":1}}}
            """;
        var read = ClusterMetadata.FromJson(stored);
        Assert.Equal(
            ["version 3, controller 1", $"broker 1: {new ClusterMember(1, "h1", 9092, 9093)}", "t-0: replicas 1, leader 1, epoch 2, isr 1, min.insync 1"],
            Said(read));
    }

    [Fact]
    public void A_topics_leadership_is_read_with_its_min_insync()
    {
        var m = Sample();
        var leadership = m.LeadershipOf(m.Topics["Orders.EU"], 1);
        Assert.Equal((PartitionLeadership.NoLeader, 7, 2), (leadership.Leader, leadership.Epoch, leadership.MinInsyncReplicas));
        Assert.Equal([2], leadership.Isr);
    }
}
