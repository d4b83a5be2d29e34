using Confluent.Kafka;

namespace Golog.Kafka.Tests;

/// <summary>
/// The point of an idempotent producer: the broker is killed (kill -9) and restarted while messages are in flight,
/// the producer retries what was not acknowledged, and the log still holds every message exactly once, in order.
/// </summary>
public sealed class ExactlyOnceAcrossCrashTests
{
    private const int Count = 3000;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task An_idempotent_producer_s_log_ends_exactly_once_and_in_order_after_a_kill_9_mid_stream()
    {
        var storage = Directory.CreateTempSubdirectory("golog-kafka-crash-").FullName;
        try
        {
            var broker = await BrokerProcess.StartAsync(storage);
            int kafkaPort = broker.KafkaPort;
            string bootstrap = $"localhost:{kafkaPort}";
            using var producer = new ProducerBuilder<Null, string>(new ProducerConfig
            {
                BootstrapServers = bootstrap, EnableIdempotence = true, Acks = Acks.All, LingerMs = 2, BatchNumMessages = 50,
                MessageTimeoutMs = (int)Patience.TotalMilliseconds, ReconnectBackoffMs = 50, ReconnectBackoffMaxMs = 500,
            }).Build();

            var delivered = new List<Task<DeliveryResult<Null, string>>>();
            for (int i = 0; i < Count; i++)
            {
                delivered.Add(producer.ProduceAsync("crashed", new Message<Null, string> { Value = $"m{i:D5}" }));
                if (i == Count / 3) await Task.WhenAny(delivered[0], Task.Delay(Patience)); // the stream is flowing
                if (i == Count / 2)
                {
                    await broker.KillAsync(); // mid-stream: batches written, fsync'd or in flight, some acknowledged, some not
                    await broker.DisposeAsync();
                    broker = await BrokerProcess.StartAsync(storage, "--kafka-port", kafkaPort.ToString());
                }
            }
            var results = await Task.WhenAll(delivered).WaitAsync(Patience * 2);
            Assert.All(results, r => Assert.Equal(PersistenceStatus.Persisted, r.Status));

            var values = ConsumeAll(bootstrap, "crashed");
            Assert.Equal(Enumerable.Range(0, Count).Select(i => $"m{i:D5}"), values);
            await broker.DisposeAsync();
        }
        finally
        {
            try { Directory.Delete(storage, recursive: true); } catch (IOException) { }
        }
    }

    private static List<string> ConsumeAll(string bootstrap, string topic)
    {
        using var consumer = new ConsumerBuilder<Null, string>(new ConsumerConfig
            { BootstrapServers = bootstrap, GroupId = "unused-no-commits", EnableAutoCommit = false, EnablePartitionEof = true }).Build();
        consumer.Assign(new TopicPartitionOffset(topic, 0, Offset.Beginning));
        var values = new List<string>();
        var deadline = DateTime.UtcNow + Patience;
        while (DateTime.UtcNow < deadline)
        {
            var r = consumer.Consume(TimeSpan.FromSeconds(1));
            if (r is null) continue;
            if (r.IsPartitionEOF) break;
            values.Add(r.Message.Value);
        }
        return values;
    }
}
