using Golog.Client;
using Golog.Perf;

namespace Golog.EndToEnd.Tests;

/// <summary>golog-perf against a real broker: runs complete and verify, and a wrong answer fails the run.</summary>
public sealed class PerfToolTests
{
    private static PerfOptions Options(Workload workload, int port, string topic) => new()
    {
        Workload = workload,
        Broker = new BrokerAddress("127.0.0.1", port),
        Topic = topic,
        MaxTime = TimeSpan.FromSeconds(60),
    };

    [Fact]
    public async Task Pipelined_batched_produce_over_partitions_reads_back_verified()
    {
        await using var broker = await InProcessBroker.StartAsync();
        var produced = await ProduceRun.RunAsync(Options(Workload.Produce, broker.Port, "perf") with
        {
            Messages = 5_000, Batch = 100, InFlight = 3, Connections = 2, Partitions = 3,
        }, CancellationToken.None);
        Assert.Null(produced.Failure);
        Assert.Equal(5_000, produced.Messages);

        var consumed = await ConsumeRun.RunAsync(Options(Workload.Consume, broker.Port, "perf") with { Messages = 5_000, Batch = 700 },
            CancellationToken.None);
        Assert.Null(consumed.Failure);
        Assert.Equal(5_000, consumed.Messages);
    }

    [Fact]
    public async Task Seed_style_produce_is_acknowledged_and_reads_back_verified()
    {
        await using var broker = await InProcessBroker.StartAsync();
        var produced = await ProduceRun.RunAsync(Options(Workload.Produce, broker.Port, "seed") with
        {
            Seed = true, Batch = 1, Messages = 500, Connections = 5, InFlight = 4,
        }, CancellationToken.None);
        Assert.Null(produced.Failure);

        var consumed = await ConsumeRun.RunAsync(Options(Workload.Consume, broker.Port, "seed") with { Messages = 500 }, CancellationToken.None);
        Assert.Null(consumed.Failure);
        Assert.Equal(500, consumed.Messages);
    }

    [Fact]
    public async Task Consume_fails_on_a_message_the_tool_did_not_write()
    {
        await using var broker = await InProcessBroker.StartAsync();
        var produced = await ProduceRun.RunAsync(Options(Workload.Produce, broker.Port, "mixed") with { Messages = 10, Batch = 5 },
            CancellationToken.None);
        Assert.Null(produced.Failure);
        await using (var client = await GologClient.ConnectAsync("127.0.0.1", broker.Port))
            await client.ProduceAsync("mixed", 0, "W00000S000000000003:" + new string('a', 80)); // right shape, wrong filler, a duplicate

        var consumed = await ConsumeRun.RunAsync(Options(Workload.Consume, broker.Port, "mixed") with { Messages = 11 }, CancellationToken.None);
        Assert.Contains("offset 10", consumed.Failure);
    }

    [Fact]
    public async Task Consume_fails_when_fewer_messages_are_stored_than_expected()
    {
        await using var broker = await InProcessBroker.StartAsync();
        await ProduceRun.RunAsync(Options(Workload.Produce, broker.Port, "short") with { Messages = 10 }, CancellationToken.None);

        var consumed = await ConsumeRun.RunAsync(Options(Workload.Consume, broker.Port, "short") with { Messages = 20 }, CancellationToken.None);
        Assert.Contains("holds 10 messages", consumed.Failure);
    }
}
