using Golog.EndToEnd.Tests;

namespace Golog.Kafka.Tests;

/// <summary>One log, two doors: what kcat produces the JSON consumer console reads, and what the JSON producer console writes kcat consumes.</summary>
public sealed class CrossDoorTests : IAsyncLifetime
{
    private KafkaTestBroker _broker = null!;

    public async Task InitializeAsync() => _broker = await KafkaTestBroker.StartAsync();
    public async Task DisposeAsync() => await _broker.DisposeAsync();

    private string JsonAddress => $"127.0.0.1:{_broker.JsonPort}";

    [SkippableFact]
    public async Task What_kcat_produces_plain_and_gzip_compressed_the_json_consumer_console_reads_in_order()
    {
        Kcat.SkipUnlessInstalled();
        string big = new('g', 3000);
        await Kcat.OkAsync(_broker.Bootstrap, "first\nsecond\n", "-P", "-t", "crossing");
        await Kcat.OkAsync(_broker.Bootstrap, big + "\n", "-P", "-t", "crossing", "-z", "gzip");

        var consumed = await DotnetProgram.RunAsync("golog-consumer",
            ["-broker", JsonAddress, "-topic", "crossing", "-partition", "0", "-group", "cross", "-poll-interval", "200ms", "-max-messages=3"]);
        Assert.Equal(0, consumed.ExitCode);
        Assert.Contains("offset 0: first", consumed.Stdout);
        Assert.Contains("offset 1: second", consumed.Stdout);
        Assert.Contains($"offset 2: {big}", consumed.Stdout);
        Assert.Equal(1, StoredBatches.Read(_broker.StorageDirectory, "crossing", 0)[^1].Compression); // read back from a gzip batch
    }

    [SkippableFact]
    public async Task What_the_json_producer_console_writes_kcat_consumes_with_the_same_offsets()
    {
        Kcat.SkipUnlessInstalled();
        var produced = await DotnetProgram.RunAsync("golog-producer", ["-broker", JsonAddress, "-topic", "other-way", "-partition", "0"],
            stdin: "order-1\norder-2\n");
        Assert.Equal(0, produced.ExitCode);

        var consumed = await Kcat.OkAsync(_broker.Bootstrap, null, "-C", "-t", "other-way", "-o", "beginning", "-e", "-f", "%o %s\n");
        Assert.Equal("0 order-1\n1 order-2\n", consumed);
    }
}
