using System.Diagnostics;
using Golog.Client;

namespace Golog.EndToEnd.Tests;

/// <summary>
/// The manual consumer console (--topic --partition --group) as a real process against the real broker process:
/// it commits every batch, rides out a broker restart, honours --from-end and commits on Ctrl-C.
/// </summary>
public sealed class ManualConsumerTests
{
    private const string Topic = "orders";
    private const string Group = "billing";
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Every_batch_is_committed_so_a_killed_consumer_resumes_after_its_last_batch()
    {
        using var storage = new TempStorage();
        await using var broker = await BrokerProcess.StartAsync(storage.Path);
        await using var client = await GologClient.ConnectAsync("127.0.0.1", broker.Port);

        await using (var first = new ConsumerProcess(Args(broker.Port)))
        {
            await client.ProduceAsync(Topic, 0, ["m0", "m1", "m2"]);
            await first.WaitForLineAsync("offset 2: m2");
            await WaitForCommittedAsync(client, 3);
            await client.ProduceAsync(Topic, 0, ["m3", "m4"]);
            await first.WaitForLineAsync("offset 4: m4");
            await WaitForCommittedAsync(client, 5);
            await first.KillAsync(); // no final commit: what resumes is what the batches committed
        }

        await client.ProduceAsync(Topic, 0, ["m5"]);
        await using var second = new ConsumerProcess(Args(broker.Port));
        await second.WaitForLineAsync("offset 5: m5");
        Assert.Contains($"Starting at offset 5 (committed offset of group {Group})", second.Lines);
        Assert.Equal(["offset 5: m5"], second.Lines.Where(l => l.StartsWith("offset ", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task The_consumer_reconnects_after_a_broker_restart_and_carries_on()
    {
        using var storage = new TempStorage();
        var broker = await BrokerProcess.StartAsync(storage.Path);
        int port = broker.Port;
        try
        {
            await using var consumer = new ConsumerProcess(Args(port));
            await using (var client = await GologClient.ConnectAsync("127.0.0.1", port))
                await client.ProduceAsync(Topic, 0, ["before-0", "before-1"]);
            await consumer.WaitForLineAsync("offset 1: before-1");

            Assert.Equal(0, await broker.StopAsync());
            await broker.DisposeAsync();
            await consumer.WaitForLineAsync("stderr: broker unavailable, reconnecting...");
            // Same storage, same port: the consumer keeps dialling the address it was given.
            broker = await BrokerProcess.StartAsync(storage.Path, "--port", port.ToString());
            // named as metadata names the partition's leader: the broker's --host, "localhost" by default
            await consumer.WaitForLineAsync($"stderr: reconnected to broker at localhost:{port}; resuming at offset 2");

            await using (var client = await GologClient.ConnectAsync("127.0.0.1", port))
                await client.ProduceAsync(Topic, 0, ["after-2"]);
            await consumer.WaitForLineAsync("offset 2: after-2");
            Assert.Equal(0, await consumer.StopAsync());
            Assert.Contains($"committed offset 3 for group {Group}", consumer.Lines);
        }
        finally
        {
            await broker.DisposeAsync();
        }
    }

    [Fact]
    public async Task From_end_without_a_committed_offset_skips_what_is_already_in_the_log()
    {
        using var storage = new TempStorage();
        await using var broker = await BrokerProcess.StartAsync(storage.Path);
        await using var client = await GologClient.ConnectAsync("127.0.0.1", broker.Port);
        await client.ProduceAsync(Topic, 0, ["old-0", "old-1", "old-2"]);

        await using var consumer = new ConsumerProcess([.. Args(broker.Port), "--from-end", "--max-messages", "2"]);
        await consumer.WaitForLineAsync($"No committed offset for group {Group}; starting at the end, offset 3");
        await client.ProduceAsync(Topic, 0, ["new-3", "new-4"]);

        Assert.Equal(0, await consumer.WaitForExitAsync());
        Assert.Equal(["offset 3: new-3", "offset 4: new-4"], consumer.Lines.Where(l => l.StartsWith("offset ", StringComparison.Ordinal)));
        Assert.Equal(5, await client.CommittedAsync(Group, Topic, 0));
    }

    [Fact]
    public async Task Ctrl_C_commits_and_exits_cleanly()
    {
        using var storage = new TempStorage();
        await using var broker = await BrokerProcess.StartAsync(storage.Path);
        await using var client = await GologClient.ConnectAsync("127.0.0.1", broker.Port);
        await client.ProduceAsync(Topic, 0, ["m0", "m1", "m2"]);

        await using var consumer = new ConsumerProcess(Args(broker.Port));
        await consumer.WaitForLineAsync("offset 2: m2");
        Assert.Equal(0, await consumer.InterruptAsync());
        Assert.Contains($"committed offset 3 for group {Group}", consumer.Lines);
        Assert.Equal(3, await client.CommittedAsync(Group, Topic, 0));
    }

    private static string[] Args(int port) =>
        ["--broker", $"127.0.0.1:{port}", "--topic", Topic, "--partition", "0", "--group", Group, "--poll-interval", "200ms"];

    private static async Task WaitForCommittedAsync(GologClient client, long offset)
    {
        var deadline = Stopwatch.StartNew();
        long? committed;
        while ((committed = await client.CommittedAsync(Group, Topic, 0)) != offset)
        {
            if (deadline.Elapsed > Bound) Assert.Fail($"group {Group} committed {committed?.ToString() ?? "nothing"}, not {offset}");
            await Task.Delay(50);
        }
    }
}
