using Confluent.Kafka;
using Confluent.Kafka.Admin;

namespace Golog.Kafka.Tests;

/// <summary>
/// Confluent.Kafka 2.16 consumer groups on the Kafka door's coordinator: subscribe, consume, Commit/Committed, the
/// AdminClient's group listing and description, and the group's offsets and membership as the JSON door sees them.
/// </summary>
public sealed class ConfluentGroupTests : IAsyncLifetime
{
    private const string Topic = "orders", Group = "billing";
    private const int Partitions = 4, Count = 40;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private KafkaTestBroker _broker = null!;

    public async Task InitializeAsync() => _broker = await KafkaTestBroker.StartAsync();
    public async Task DisposeAsync() => await _broker.DisposeAsync();

    [Fact]
    public async Task A_consumer_group_reads_all_partitions_commits_and_its_offsets_are_committed_described_and_read_by_the_JSON_door()
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = _broker.Bootstrap }).Build();
        await admin.CreateTopicsAsync([new TopicSpecification { Name = Topic, NumPartitions = Partitions, ReplicationFactor = 1 }]);
        using (var producer = new ProducerBuilder<string, string>(new ProducerConfig { BootstrapServers = _broker.Bootstrap }).Build())
            for (int i = 0; i < Count; i++) await producer.ProduceAsync(Topic, new Message<string, string> { Key = $"k{i}", Value = $"v{i}" });

        using var consumer = new ConsumerBuilder<string, string>(new ConsumerConfig
        {
            BootstrapServers = _broker.Bootstrap, GroupId = Group, AutoOffsetReset = AutoOffsetReset.Earliest, EnableAutoCommit = false,
        }).Build();
        consumer.Subscribe(Topic);
        var consumed = new List<string>();
        var deadline = DateTime.UtcNow + Patience;
        while (consumed.Count < Count && DateTime.UtcNow < deadline)
            if (consumer.Consume(TimeSpan.FromSeconds(1)) is { } r) consumed.Add(r.Message.Value);
        Assert.Equal(Enumerable.Range(0, Count).Select(i => $"v{i}").Order(), consumed.Order());

        consumer.Commit();
        var committed = consumer.Committed(Patience);
        Assert.Equal(Partitions, committed.Count);
        Assert.Equal(Count, committed.Sum(c => c.Offset.Value));

        await using var json = await JsonDoorClient.ConnectAsync(_broker.JsonPort);
        long jsonSum = 0;
        for (int p = 0; p < Partitions; p++) jsonSum += await json.CommittedAsync(Group, Topic, p) ?? 0;
        Assert.Equal(Count, jsonSum);
        var refused = await json.RequestAsync(new() { ["type"] = "join_group", ["group"] = Group, ["topics"] = new[] { Topic } });
        Assert.Equal("group_kind_conflict", refused.GetProperty("error").GetProperty("code").GetString());

        var listed = await admin.ListConsumerGroupsAsync();
        Assert.Contains(listed.Valid, g => g.GroupId == Group);
        var live = (await admin.DescribeConsumerGroupsAsync([Group])).ConsumerGroupDescriptions.Single();
        Assert.Equal(ConsumerGroupState.Stable, live.State);
        var member = Assert.Single(live.Members);
        Assert.Equal(Enumerable.Range(0, Partitions), member.Assignment.TopicPartitions.Select(tp => tp.Partition.Value).Order());

        consumer.Close(); // LeaveGroup: the group is empty at once
        var closed = (await admin.DescribeConsumerGroupsAsync([Group])).ConsumerGroupDescriptions.Single();
        Assert.Equal((ConsumerGroupState.Empty, 0), (closed.State, closed.Members.Count));
    }
}
