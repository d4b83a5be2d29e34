using System.Text;
using System.Text.Json;
using Golog.Client;

namespace Golog.EndToEnd.Tests;

/// <summary>
/// A JSON produce with "producer_id", "producer_epoch" and "sequence" is deduplicated as Kafka's idempotent producer
/// is: a retry is answered with the original offsets and stored once, a gap and a fenced epoch are refused with
/// nothing stored. Also "acks": its three values are taken, anything else refused.
/// </summary>
public sealed class IdempotentProduceTests
{
    [Fact]
    public async Task A_retried_batch_is_answered_with_its_original_offsets_and_stored_once()
    {
        await using var broker = await InProcessBroker.StartAsync();
        await using var client = await LineClient.ConnectAsync(broker.Port);
        long producer = await InitProducerIdAsync(client);
        await client.RequestAsync("""{"type":"produce","id":1,"topic":"t","partition":0,"message":"before"}""");

        string batch = $$"""{"type":"produce","id":2,"topic":"t","partition":0,"messages":["a","b"],"producer_id":{{producer}},"producer_epoch":0,"sequence":0}""";
        var first = Json(await client.RequestAsync(batch));
        var retry = Json(await client.RequestAsync(batch.Replace("\"id\":2", "\"id\":3")));
        var next = Json(await client.RequestAsync(
            $$"""{"type":"produce","id":4,"topic":"t","partition":0,"message":"c","producer_id":{{producer}},"producer_epoch":0,"sequence":2}"""));

        Assert.True(retry.GetProperty("ok").GetBoolean());
        Assert.Equal((1, 2), Offsets(first));
        Assert.Equal((1, 2), Offsets(retry));
        Assert.Equal((3, 3), Offsets(next));
        Assert.Equal(["before", "a", "b", "c"], await MessagesAsync(client, "t"));
    }

    [Fact]
    public async Task A_retry_is_recognised_after_a_broker_restart()
    {
        using var storage = new TempStorage();
        string batch;
        await using (var broker = await InProcessBroker.StartAsync(storage.Path))
        await using (var client = await LineClient.ConnectAsync(broker.Port))
        {
            long producer = await InitProducerIdAsync(client);
            batch = $$"""{"type":"produce","id":2,"topic":"t","partition":0,"message":"once","producer_id":{{producer}},"producer_epoch":0,"sequence":0}""";
            Assert.Equal((0, 0), Offsets(Json(await client.RequestAsync(batch))));
        }
        await using (var broker = await InProcessBroker.StartAsync(storage.Path))
        await using (var client = await LineClient.ConnectAsync(broker.Port))
        {
            Assert.Equal((0, 0), Offsets(Json(await client.RequestAsync(batch))));
            Assert.Equal(["once"], await MessagesAsync(client, "t"));
        }
    }

    [Fact]
    public async Task A_gap_in_the_sequence_and_an_older_epoch_are_refused_and_store_nothing()
    {
        await using var broker = await InProcessBroker.StartAsync();
        await using var client = await LineClient.ConnectAsync(broker.Port);
        long producer = await InitProducerIdAsync(client);
        string Produce(int id, int epoch, int sequence) =>
            $$"""{"type":"produce","id":{{id}},"topic":"t","partition":0,"message":"m{{id}}","producer_id":{{producer}},"producer_epoch":{{epoch}},"sequence":{{sequence}}}""";
        await client.RequestAsync(Produce(1, epoch: 1, sequence: 0));

        var gap = Error(await client.RequestAsync(Produce(2, epoch: 1, sequence: 5)));
        var fenced = Error(await client.RequestAsync(Produce(3, epoch: 0, sequence: 1)));

        Assert.Equal("out_of_order_sequence_number", gap.GetProperty("code").GetString());
        Assert.Contains("sent sequence 5 but the next expected is 1", gap.GetProperty("message").GetString());
        Assert.Equal("invalid_producer_epoch", fenced.GetProperty("code").GetString());
        Assert.Contains("epoch 0 is older than its current epoch 1", fenced.GetProperty("message").GetString());
        Assert.Equal(["m1"], await MessagesAsync(client, "t"));
    }

    [Theory]
    [InlineData("\"all\"")]
    [InlineData("1")]
    [InlineData("0")]
    public async Task Every_acks_value_is_answered_with_the_offsets_once_stored(string acks)
    {
        await using var broker = await InProcessBroker.StartAsync();
        await using var client = await LineClient.ConnectAsync(broker.Port);

        var reply = Json(await client.RequestAsync($$"""{"type":"produce","id":1,"topic":"t","partition":0,"message":"x","acks":{{acks}}}"""));

        Assert.Equal((0, 0), Offsets(reply));
        Assert.Equal(["x"], await MessagesAsync(client, "t"));
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("2")]
    [InlineData("\"ALL\"")]
    [InlineData("\"1\"")]
    [InlineData("true")]
    public async Task Any_other_acks_is_refused_and_stores_nothing(string acks)
    {
        await using var broker = await InProcessBroker.StartAsync();
        await using var client = await LineClient.ConnectAsync(broker.Port);
        await client.RequestAsync("""{"type":"create_topic","id":0,"topic":"t","partitions":1}""");

        var error = Error(await client.RequestAsync($$"""{"type":"produce","id":1,"topic":"t","partition":0,"message":"x","acks":{{acks}}}"""));

        Assert.Equal("invalid_request", error.GetProperty("code").GetString());
        Assert.Equal("\"acks\" must be \"all\", 1 or 0", error.GetProperty("message").GetString());
        Assert.Empty(await MessagesAsync(client, "t"));
    }

    [Fact]
    public async Task Batches_in_flight_from_one_idempotent_client_are_each_stored_on_their_first_attempt_in_the_order_produced()
    {
        await using var broker = await InProcessBroker.StartAsync();
        // no retries: a batch that reached the broker ahead of one numbered before it would be refused and fail the call
        var once = new RetryPolicy(1, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.FromMinutes(1));
        await using var client = await ClusterClient.ConnectAsync([new BrokerAddress("127.0.0.1", broker.Port)], new ClusterClientOptions { Retry = once });
        await (await client.AnyBrokerAsync()).CreateTopicAsync("t", 1);
        const int writers = 4, batches = 40, perBatch = 5;

        await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            for (int b = 0; b < batches; b++)
                await client.ProduceAsync("t", 0, [.. Enumerable.Range(0, perBatch).Select(i => (ReadOnlyMemory<byte>)Encoding.UTF8.GetBytes($"w{w}-{b * perBatch + i}"))]);
        })));

        var stored = new List<string>();
        while (stored.Count < writers * batches * perBatch)
        {
            var fetched = await client.FetchAsync("t", 0, stored.Count);
            Assert.NotEmpty(fetched.Records);
            stored.AddRange(fetched.Records.Select(r => r.Message));
        }
        for (int w = 0; w < writers; w++)
            Assert.Equal(Enumerable.Range(0, batches * perBatch).Select(i => $"w{w}-{i}"), stored.Where(m => m.StartsWith($"w{w}-")));
    }

    [Fact]
    public async Task The_first_batches_of_a_new_client_produced_without_waiting_are_stored_in_the_order_produced()
    {
        await using var broker = await InProcessBroker.StartAsync();
        var address = new BrokerAddress("127.0.0.1", broker.Port);
        await using (var setup = await GologClient.ConnectAsync(address)) await setup.CreateTopicAsync("t", 1);
        const int rounds = 5, batches = 30;

        for (int round = 0; round < rounds; round++)
        {
            // a new client each round: its producer id and metadata are still being asked for when the batches start
            var once = new RetryPolicy(1, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.FromMinutes(1));
            await using var client = await ClusterClient.ConnectAsync([address], new ClusterClientOptions { Retry = once });
            var produced = Enumerable.Range(0, batches).Select(b => client.ProduceAsync("t", 0, $"r{round}-{b}")).ToList();
            await Task.WhenAll(produced);

            var stored = new List<string>();
            while (stored.Count < (round + 1) * batches)
            {
                var fetched = await client.FetchAsync("t", 0, stored.Count);
                Assert.NotEmpty(fetched.Records);
                stored.AddRange(fetched.Records.Select(r => r.Message));
            }
            Assert.Equal(Enumerable.Range(0, batches).Select(b => $"r{round}-{b}"), stored.Skip(round * batches));
        }
    }

    private static async Task<long> InitProducerIdAsync(LineClient client)
    {
        var reply = Json(await client.RequestAsync("""{"type":"init_producer_id","id":"init"}"""));
        Assert.Equal(0, reply.GetProperty("producer_epoch").GetInt32());
        return reply.GetProperty("producer_id").GetInt64();
    }

    private static async Task<List<string>> MessagesAsync(LineClient client, string topic)
    {
        var reply = Json(await client.RequestAsync($$"""{"type":"fetch","id":99,"topic":"{{topic}}","partition":0,"offset":0}"""));
        return reply.GetProperty("records").EnumerateArray().Select(r => r.GetProperty("message").GetString()!).ToList();
    }

    private static (long, long) Offsets(JsonElement reply) =>
        (reply.GetProperty("base_offset").GetInt64(), reply.GetProperty("last_offset").GetInt64());

    private static JsonElement Error(string line)
    {
        var reply = Json(line);
        Assert.False(reply.GetProperty("ok").GetBoolean());
        return reply.GetProperty("error");
    }

    private static JsonElement Json(string line) => JsonDocument.Parse(line).RootElement.Clone();
}
