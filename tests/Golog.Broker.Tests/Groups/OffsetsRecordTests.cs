using Golog.Core.Groups;
using Golog.Storage;

namespace Golog.Broker.Tests.Groups;

/// <summary>The records a cluster's coordinators write to __consumer_offsets, and which partition holds a group.</summary>
public class OffsetsRecordTests
{
    private static OffsetsRecord? RoundTrip(OffsetsRecord record)
    {
        var encoded = OffsetsRecordCodec.Encode(record);
        return OffsetsRecordCodec.Decode(encoded.Key!.Value.Span, encoded.Value.Span);
    }

    [Fact]
    public void A_commit_and_a_forgotten_topic_read_back_as_written_with_non_ascii_names_and_extreme_numbers()
    {
        OffsetsRecord[] records =
        [
            new OffsetCommitRecord("billing", new TopicPartition("orders", 0), 44),
            new OffsetCommitRecord("g-ü", new TopicPartition("tópico.x", int.MaxValue), long.MaxValue),
            new TopicForgottenRecord("billing", "orders"),
        ];
        foreach (var record in records) Assert.Equal(record, RoundTrip(record));
    }

    [Fact]
    public void Bytes_that_are_not_an_offsets_record_are_not_read_as_one()
    {
        var commit = OffsetsRecordCodec.Encode(new OffsetCommitRecord("g", new TopicPartition("t", 1), 5));
        var key = commit.Key!.Value.ToArray();
        Assert.Null(OffsetsRecordCodec.Decode("hello"u8, "world"u8)); // a client's record
        Assert.Null(OffsetsRecordCodec.Decode([], commit.Value.Span));
        Assert.Null(OffsetsRecordCodec.Decode(key, new byte[7])); // a value cut short
        Assert.Null(OffsetsRecordCodec.Decode(key[..^1], commit.Value.Span)); // a key cut short
        key[1] = 9; // an unknown kind
        Assert.Null(OffsetsRecordCodec.Decode(key, commit.Value.Span));
    }

    [Fact]
    public void A_replay_keeps_each_groups_last_commit_per_partition_and_drops_a_forgotten_topics_offsets()
    {
        var replay = new OffsetsReplay();
        foreach (var record in new OffsetsRecord[]
                 {
                     new OffsetCommitRecord("a", new("orders", 0), 10),
                     new OffsetCommitRecord("b", new("orders", 0), 3),
                     new OffsetCommitRecord("a", new("orders", 0), 12),
                     new OffsetCommitRecord("a", new("clicks", 1), 7),
                     new TopicForgottenRecord("a", "clicks"),
                 })
        {
            var encoded = OffsetsRecordCodec.Encode(record);
            replay.Apply(encoded.Key!.Value.Span, encoded.Value.Span);
        }
        replay.Apply("garbage"u8, "x"u8);

        Assert.Equal(new Dictionary<TopicPartition, long> { [new("orders", 0)] = 12 }, replay.Groups["a"]);
        Assert.Equal(new Dictionary<TopicPartition, long> { [new("orders", 0)] = 3 }, replay.Groups["b"]);
        Assert.Equal((5, 1), (replay.Records, replay.Skipped));
    }

    [Theory]
    [InlineData("hello", 50, 22)] // Java: "hello".hashCode() == 99162322
    [InlineData("", 6, 0)]
    [InlineData("polygenelubricants", 6, 0)] // hashCode() == Integer.MIN_VALUE: Kafka's abs maps it to 0
    [InlineData("console-consumer-1", 50, 24)]
    public void A_group_lands_on_the_partition_Kafka_would_pick(string group, int partitions, int expected) =>
        Assert.Equal(expected, OffsetsTopic.PartitionFor(group, partitions));

    [Fact]
    public void Every_group_lands_on_a_partition_that_exists_and_groups_spread_over_all_of_them()
    {
        var used = Enumerable.Range(0, 600).Select(i => OffsetsTopic.PartitionFor("group-" + i, 6)).ToList();
        Assert.All(used, p => Assert.InRange(p, 0, 5));
        Assert.Equal(6, used.Distinct().Count());
    }
}
