using System.Buffers.Binary;

namespace Golog.Kafka.Tests;

/// <summary>What a Kafka broker does with requests it cannot serve: close that connection, never crash, keep serving the others.</summary>
public sealed class BadRequestTests : IAsyncLifetime
{
    private KafkaTestBroker _broker = null!;

    public async Task InitializeAsync() => _broker = await KafkaTestBroker.StartAsync("--set", "golog.kafka.max-request-bytes=64KiB");
    public async Task DisposeAsync() => await _broker.DisposeAsync();

    public static TheoryData<string, byte[]> Unservable() => new()
    {
        { "unknown api key", KafkaWireClient.Request(999, 0, 1, []) },
        { "negative api key", KafkaWireClient.Request(-5, 0, 1, []) },
        { "unserved version", KafkaWireClient.Request(3, 0, 1, new RequestBody().Int32(-1).ToArray()) },
        { "negative frame size", Frame(-1, []) },
        { "frame over max-request-bytes", Frame(64 * 1024 + 1, []) },
        { "truncated header", Frame(3, [0, 3, 0]) },
        { "truncated metadata body", KafkaWireClient.Request(3, 4, 1, new RequestBody().Int32(2).String("a").ToArray()) },
        { "array count larger than the request", KafkaWireClient.Request(3, 4, 1, new RequestBody().Int32(int.MaxValue).ToArray()) },
        { "negative string length", KafkaWireClient.Request(3, 4, 1, new RequestBody().Int32(1).Int16(-7).Int8(1).ToArray()) },
    };

    [Theory]
    [MemberData(nameof(Unservable))]
    public async Task The_connection_is_closed_without_an_answer_and_other_clients_are_still_served(string what, byte[] request)
    {
        await using var bad = await KafkaWireClient.ConnectAsync(_broker.KafkaPort);
        await bad.SendAsync(request);
        Assert.True(await bad.ClosedByBrokerAsync(), what);

        await using var good = await KafkaWireClient.ConnectAsync(_broker.KafkaPort);
        await good.SendAsync(KafkaWireClient.Request(18, 2, 42, []));
        Assert.Equal(42, new ResponseReader(await good.ReceiveAsync()).Int32());
    }

    [Fact]
    public async Task Requests_answered_before_the_bad_one_keep_their_answers()
    {
        await using var client = await KafkaWireClient.ConnectAsync(_broker.KafkaPort);
        await client.SendAsync([.. KafkaWireClient.Request(18, 2, 1, []), .. KafkaWireClient.Request(999, 0, 2, [])]);

        Assert.Equal(1, new ResponseReader(await client.ReceiveAsync()).Int32());
        Assert.True(await client.ClosedByBrokerAsync());
    }

    private static byte[] Frame(int size, byte[] payload)
    {
        var frame = new byte[4 + payload.Length];
        BinaryPrimitives.WriteInt32BigEndian(frame, size);
        payload.CopyTo(frame, 4);
        return frame;
    }
}
