using System.Buffers.Binary;

namespace Golog.Kafka.Tests;

/// <summary>Produce v3 and Fetch v4 at the byte level: what real clients never send, and what they rely on exactly.</summary>
public sealed class ProduceFetchWireTests : IAsyncLifetime
{
    private KafkaTestBroker _broker = null!;
    private KafkaWireClient _client = null!;

    public async Task InitializeAsync()
    {
        _broker = await KafkaTestBroker.StartAsync();
        _client = await KafkaWireClient.ConnectAsync(_broker.KafkaPort);
        await _client.SendAsync(KafkaRequests.CreateTopic(1, "t", 2));
        await _client.ReceiveAsync();
    }

    public async Task DisposeAsync()
    {
        await _client.DisposeAsync();
        await _broker.DisposeAsync();
    }

    private async Task<byte[]> AskAsync(byte[] request)
    {
        await _client.SendAsync(request);
        return await _client.ReceiveAsync();
    }

    [Fact]
    public async Task A_batch_is_stored_byte_for_byte_and_fetched_back_with_its_offsets_stamped()
    {
        var first = KafkaRequests.Batch("a", "b");
        var second = KafkaRequests.Batch("c");
        Assert.Equal([(0, 0, 0L)], KafkaRequests.ProduceResults(await AskAsync(KafkaRequests.Produce(2, "t", -1, (0, first)))));
        Assert.Equal([(0, 0, 2L)], KafkaRequests.ProduceResults(await AskAsync(KafkaRequests.Produce(3, "t", 1, (0, second)))));

        var (error, hw, records) = KafkaRequests.FetchResult(await AskAsync(KafkaRequests.Fetch(4, "t", 0, 1)));
        Assert.Equal(0, error);
        Assert.Equal(3, hw);
        // the batch holding offset 1 first (the client skips record 0), then the next; only the base offset differs
        BinaryPrimitives.WriteInt64BigEndian(second, 2);
        Assert.Equal([.. first, .. second], records);
    }

    [Fact]
    public async Task Acks_0_is_stored_and_never_answered_so_the_next_answer_is_the_next_request_s()
    {
        await _client.SendAsync(KafkaRequests.Produce(10, "t", 0, (1, KafkaRequests.Batch("quiet"))));
        var next = await AskAsync(KafkaRequests.Produce(11, "t", -1, (1, KafkaRequests.Batch("loud"))));

        Assert.Equal(11, BinaryPrimitives.ReadInt32BigEndian(next));
        Assert.Equal([(1, 0, 1L)], KafkaRequests.ProduceResults(next)); // after the unanswered one, which was stored
    }

    [Fact]
    public async Task A_bad_batch_is_refused_with_its_kafka_error_nothing_is_stored_and_the_other_partition_is_served()
    {
        var corrupt = KafkaRequests.Batch("x");
        corrupt[^1] ^= 0xFF; // the CRC no longer matches
        var twoBatches = (byte[])[.. KafkaRequests.Batch("y"), .. KafkaRequests.Batch("z")];
        var oldMagic = KafkaRequests.Batch("m");
        oldMagic[16] = 1;

        foreach (var (bad, expected) in new[] { (corrupt, (short)2), (twoBatches, (short)87), (oldMagic, (short)87), ([1, 2, 3], (short)87) })
        {
            var results = KafkaRequests.ProduceResults(await AskAsync(KafkaRequests.Produce(20, "t", -1, (0, bad), (1, KafkaRequests.Batch("ok")))));
            Assert.Equal((0, expected, -1L), results[0]);
            Assert.Equal(0, results[1].Error);
        }
        var (_, hw, _) = KafkaRequests.FetchResult(await AskAsync(KafkaRequests.Fetch(21, "t", 0, 0)));
        Assert.Equal(0, hw);
    }

    [Theory]
    [InlineData((short)5, null, (short)21)]  // INVALID_REQUIRED_ACKS
    [InlineData((short)-1, "txn", (short)53)] // no transactions
    public async Task A_produce_the_broker_refuses_as_a_whole_gets_the_error_on_every_partition(short acks, string? transactionalId, short expected)
    {
        var results = KafkaRequests.ProduceResults(await AskAsync(
            KafkaRequests.Produce(30, "t", acks, transactionalId, 3, (0, KafkaRequests.Batch("a")), (1, KafkaRequests.Batch("b")))));
        Assert.Equal([(0, expected, -1L), (1, expected, -1L)], results);
    }

    [Fact]
    public async Task An_unknown_partition_or_topic_is_unknown_topic_or_partition()
    {
        var results = KafkaRequests.ProduceResults(await AskAsync(KafkaRequests.Produce(40, "t", -1, (7, KafkaRequests.Batch("a")))));
        Assert.Equal([(7, 3, -1L)], results);
        var (error, _, _) = KafkaRequests.FetchResult(await AskAsync(KafkaRequests.Fetch(41, "nosuch", 0, 0)));
        Assert.Equal(3, error);
    }

    [Fact]
    public async Task Produce_v2_closes_the_connection_as_Kafka_4_does()
    {
        await _client.SendAsync(KafkaRequests.Produce(50, "t", -1, null, 2, (0, KafkaRequests.Batch("a"))));
        Assert.True(await _client.ClosedByBrokerAsync());
    }

    [Fact]
    public async Task A_fetch_past_the_end_is_offset_out_of_range_with_the_high_watermark_and_at_the_end_it_waits_then_answers_empty()
    {
        await AskAsync(KafkaRequests.Produce(60, "t", -1, (1, KafkaRequests.Batch("a", "b"))));

        var (error, hw, _) = KafkaRequests.FetchResult(await AskAsync(KafkaRequests.Fetch(61, "t", 1, 5)));
        Assert.Equal((1, 2L), (error, hw));
        var (atEnd, _, records) = KafkaRequests.FetchResult(await AskAsync(KafkaRequests.Fetch(62, "t", 1, 2, maxWaitMs: 100)));
        Assert.Equal((0, 0), (atEnd, records.Length));
    }

    [Fact]
    public async Task A_long_poll_at_the_end_is_answered_by_the_next_append()
    {
        await _client.SendAsync(KafkaRequests.Fetch(70, "t", 0, 0, maxWaitMs: 30_000));
        await using var producer = await KafkaWireClient.ConnectAsync(_broker.KafkaPort);
        await producer.SendAsync(KafkaRequests.Produce(71, "t", -1, (0, KafkaRequests.Batch("wake"))));

        var (error, hw, records) = KafkaRequests.FetchResult(await _client.ReceiveAsync());
        Assert.Equal((0, 1L), (error, hw));
        Assert.NotEmpty(records);
    }
}
