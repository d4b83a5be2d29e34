using Confluent.Kafka;
using Confluent.Kafka.Admin;

namespace Golog.Kafka.Tests;

/// <summary>Confluent.Kafka 2.16 (librdkafka 2.16): the .NET client most users of the Kafka door will run.</summary>
public sealed class ConfluentClientTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private KafkaTestBroker _broker = null!;

    public async Task InitializeAsync() => _broker = await KafkaTestBroker.StartAsync();
    public async Task DisposeAsync() => await _broker.DisposeAsync();

    [Fact]
    public async Task An_idempotent_acks_all_producer_s_messages_are_persisted_once_and_read_back_in_order_with_keys_and_headers()
    {
        const int Count = 200;
        await CreateTopicAsync("idempotent", 1);
        using (var producer = new ProducerBuilder<string, string>(new ProducerConfig
               { BootstrapServers = _broker.Bootstrap, EnableIdempotence = true, Acks = Acks.All, LingerMs = 5 }).Build())
        {
            var sent = Enumerable.Range(0, Count).Select(i => producer.ProduceAsync("idempotent", new Message<string, string>
                { Key = $"k{i}", Value = $"v{i}", Headers = new Headers { { "h", [(byte)(i % 256)] } } })).ToList();
            var results = await Task.WhenAll(sent);
            Assert.All(results, r => Assert.Equal(PersistenceStatus.Persisted, r.Status));
            Assert.Equal(Enumerable.Range(0, Count).Select(i => (long)i), results.Select(r => r.Offset.Value));
        }

        var consumed = Consume("idempotent", 0, Count);
        Assert.Equal(Enumerable.Range(0, Count).Select(i => $"k{i}=v{i}/{i % 256}"), consumed.Select(m => $"{m.Key}={m.Value}/{m.Headers[0].GetValueBytes()[0]}"));
        Assert.All(StoredBatches.Read(_broker.StorageDirectory, "idempotent", 0), b => Assert.True(b.ProducerId >= 0));
    }

    [Theory]
    [InlineData(Acks.None, CompressionType.None, PersistenceStatus.PossiblyPersisted)]
    [InlineData(Acks.Leader, CompressionType.Gzip, PersistenceStatus.Persisted)]
    [InlineData(Acks.Leader, CompressionType.Lz4, PersistenceStatus.Persisted)]
    public async Task Plain_producers_with_each_acks_and_codec_are_read_back(Acks acks, CompressionType compression, PersistenceStatus expected)
    {
        await CreateTopicAsync("plain", 1);
        using (var producer = new ProducerBuilder<Null, string>(new ProducerConfig
               { BootstrapServers = _broker.Bootstrap, Acks = acks, CompressionType = compression }).Build())
        {
            for (int i = 0; i < 20; i++)
                Assert.Equal(expected, (await producer.ProduceAsync("plain", new Message<Null, string> { Value = new string('p', 300) + i })).Status);
        }

        Assert.Equal(Enumerable.Range(0, 20).Select(i => new string('p', 300) + i), Consume("plain", 0, 20).Select(m => m.Value));
    }

    [Fact]
    public async Task The_admin_client_creates_a_topic_whose_metadata_shows_its_partitions_led_by_this_broker()
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = _broker.Bootstrap }).Build();
        await admin.CreateTopicsAsync([new TopicSpecification { Name = "admin-made", NumPartitions = 4, ReplicationFactor = 1 }]);

        var metadata = admin.GetMetadata("admin-made", Patience);
        Assert.Equal([0, 1, 2, 3], metadata.Topics.Single().Partitions.Select(p => p.PartitionId).Order());
        Assert.All(metadata.Topics.Single().Partitions, p => Assert.Equal(1, p.Leader));
        Assert.Equal((1, "localhost", _broker.KafkaPort), (metadata.Brokers.Single().BrokerId, metadata.Brokers.Single().Host, metadata.Brokers.Single().Port));

        var again = await Assert.ThrowsAsync<CreateTopicsException>(() =>
            admin.CreateTopicsAsync([new TopicSpecification { Name = "admin-made", NumPartitions = 1, ReplicationFactor = 1 }]));
        Assert.Equal(ErrorCode.TopicAlreadyExists, again.Results.Single().Error.Code);
        var replicated = await Assert.ThrowsAsync<CreateTopicsException>(() =>
            admin.CreateTopicsAsync([new TopicSpecification { Name = "replicated", NumPartitions = 1, ReplicationFactor = 3 }]));
        Assert.Equal(ErrorCode.InvalidReplicationFactor, replicated.Results.Single().Error.Code);
    }

    [Fact]
    public async Task The_admin_client_deletes_a_topic_its_data_goes_and_an_unknown_one_is_reported()
    {
        await CreateTopicAsync("doomed", 2);
        using (var producer = new ProducerBuilder<Null, string>(new ProducerConfig { BootstrapServers = _broker.Bootstrap }).Build())
            await producer.ProduceAsync(new TopicPartition("doomed", 1), new Message<Null, string> { Value = "gone soon" });
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = _broker.Bootstrap }).Build();

        await admin.DeleteTopicsAsync(["doomed"]);

        Assert.DoesNotContain(admin.GetMetadata(Patience).Topics, t => t.Topic == "doomed");
        Assert.False(Directory.Exists(Path.Combine(_broker.StorageDirectory, "doomed-1")));
        var unknown = await Assert.ThrowsAsync<DeleteTopicsException>(() => admin.DeleteTopicsAsync(["doomed"]));
        Assert.Equal(ErrorCode.UnknownTopicOrPart, unknown.Results.Single().Error.Code);
    }

    private async Task CreateTopicAsync(string topic, int partitions)
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = _broker.Bootstrap }).Build();
        await admin.CreateTopicsAsync([new TopicSpecification { Name = topic, NumPartitions = partitions, ReplicationFactor = 1 }]);
    }

    /// <summary>Reads <paramref name="count"/> messages of one partition from offset 0 (assigned, no group), within a bounded time.</summary>
    private List<Message<string, string>> Consume(string topic, int partition, int count)
    {
        using var consumer = new ConsumerBuilder<string, string>(new ConsumerConfig
            { BootstrapServers = _broker.Bootstrap, GroupId = "unused-no-commits", EnableAutoCommit = false }).Build();
        consumer.Assign(new TopicPartitionOffset(topic, partition, Offset.Beginning));
        var messages = new List<Message<string, string>>();
        var deadline = DateTime.UtcNow + Patience;
        while (messages.Count < count && DateTime.UtcNow < deadline)
            if (consumer.Consume(TimeSpan.FromSeconds(1)) is { } r) messages.Add(r.Message);
        return messages;
    }
}
