using Golog.Client;

namespace Golog.EndToEnd.Tests;

/// <summary>Retention seen from outside: a consumer whose committed offset was deleted resumes at the earliest offset left.</summary>
public sealed class RetentionTests
{
    private static readonly string[] TinyRetention =
    [
        "--set", "golog.segment.messages=10",
        "--set", "golog.retention.bytes=1",
        "--set", "golog.retention.check-interval=100ms",
    ];

    [Fact]
    public async Task A_consumer_console_whose_committed_offset_was_deleted_warns_and_resumes_from_the_log_start()
    {
        await using var broker = await InProcessBroker.StartAsync(null, TinyRetention);
        string address = $"127.0.0.1:{broker.Port}";
        await using var client = await GologClient.ConnectAsync("127.0.0.1", broker.Port);
        for (int i = 0; i < 5; i++) await client.ProduceAsync("logs", 0, $"m{i}");
        var first = await Consume(address, 5);
        Assert.Contains("offset 4: m4", first.Stdout);
        Assert.Equal(5, await client.CommittedAsync("g", "logs", 0));

        // while the group is away, 30 more messages roll three segments, and retention deletes them
        for (int i = 5; i < 35; i++) await client.ProduceAsync("logs", 0, $"m{i}");
        await WaitForLogStartAsync(client, 30);

        var resumed = await Consume(address, 5);
        Assert.Contains("offset 5 is no longer in the log (deleted by retention); skipping to log start offset 30", resumed.Stderr);
        Assert.Equal(Enumerable.Range(30, 5).Select(i => $"offset {i}: m{i}"),
            resumed.Stdout.Split('\n').Where(l => l.StartsWith("offset ")).Select(l => l.TrimEnd('\r')));
        Assert.Equal(35, await client.CommittedAsync("g", "logs", 0));
    }

    [Fact]
    public async Task A_client_fetch_below_the_log_start_gets_offset_out_of_range_with_both_bounds()
    {
        await using var broker = await InProcessBroker.StartAsync(null, TinyRetention);
        await using var client = await GologClient.ConnectAsync("127.0.0.1", broker.Port);
        for (int i = 0; i < 25; i++) await client.ProduceAsync("logs", 0, $"m{i}");
        await WaitForLogStartAsync(client, 20);

        var error = await Assert.ThrowsAsync<GologException>(() => client.FetchAsync("logs", 0, 3));
        Assert.Equal("offset_out_of_range", error.Code);
        Assert.Equal((20L, 25L), (error.LogStartOffset, error.HighWatermark));
        var fetched = await client.FetchAsync("logs", 0, 20);
        Assert.Equal(Enumerable.Range(20, 5).Select(i => $"m{i}"), fetched.Records.Select(r => r.Message));
    }

    private static async Task WaitForLogStartAsync(GologClient client, long expected)
    {
        for (int attempt = 0; attempt < 300; attempt++) // 30 s at most
        {
            var topics = await client.MetadataAsync("logs");
            if (topics.Single().Partitions.Single().LogStartOffset == expected) return;
            await Task.Delay(100);
        }
        Assert.Fail($"retention did not move the log start to {expected} within 30 s");
    }

    private static Task<(int ExitCode, string Stdout, string Stderr)> Consume(string address, int messages) =>
        DotnetProgram.RunAsync("golog-consumer",
            ["--broker", address, "--topic", "logs", "--partition", "0", "--group", "g", "--poll-interval", "200ms", "--max-messages", messages.ToString()]);
}
