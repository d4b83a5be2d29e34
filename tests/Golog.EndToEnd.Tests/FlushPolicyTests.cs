using Golog.Client;

namespace Golog.EndToEnd.Tests;

/// <summary>
/// golog.flush.policy interval and os, set by flag, environment variable and --set (the flag wins over the environment): a produce is
/// acknowledged once written, without waiting for an fsync (interval 1 h: an ack that waited for it would never
/// come within the test), readable at once by another client, and still there after a kill -9 and a restart,
/// waited for past the flush interval. A kill -9 cannot tell an fsync from the page cache (both survive a process
/// crash; only a machine crash would show the difference), so these pin what a user of the policies sees.
/// </summary>
public sealed class FlushPolicyTests
{
    private static readonly TimeSpan AckBound = TimeSpan.FromSeconds(30); // far below the 1 h interval, far above an ack

    public static TheoryData<string, string[], Dictionary<string, string>, TimeSpan> Policies => new()
    {
        { "interval", ["--flush-policy", "interval", "--set", "golog.flush.interval=200ms"], [], TimeSpan.FromMilliseconds(600) },
        { "interval", ["--set", "golog.flush.interval=1h"], new() { ["GOLOG_FLUSH_POLICY"] = "interval" }, TimeSpan.Zero },
        { "os", ["--set", "golog.flush.policy=os"], [], TimeSpan.Zero },
        { "os", ["--flush-policy", "os"], new() { ["GOLOG_FLUSH_POLICY"] = "always" }, TimeSpan.Zero }, // the flag wins
    };

    [Theory]
    [MemberData(nameof(Policies))]
    public async Task A_produce_is_acked_on_write_readable_at_once_and_survives_a_kill_9(
        string policy, string[] args, Dictionary<string, string> environment, TimeSpan waitBeforeKill)
    {
        using var storage = new TempStorage();
        var acked = new List<(long Offset, string Message)>();
        await using (var broker = await BrokerProcess.StartAsync(storage.Path, environment, args))
        {
            // the start-up line tells the operator (logged asynchronously: it may reach the output after the ports file)
            Assert.True(await broker.LogShowsAsync($"(?i)\"Flush\": {{\"Mode\": \"{policy}\"", TimeSpan.FromSeconds(10)), broker.Log);
            await using var producer = await GologClient.ConnectAsync("127.0.0.1", broker.Port);
            await using var reader = await GologClient.ConnectAsync("127.0.0.1", broker.Port);
            for (int i = 0; i < 20; i++)
            {
                var r = await producer.ProduceAsync("flushed", 0, $"m{i}").WaitAsync(AckBound);
                acked.Add((r.BaseOffset, $"m{i}"));
                // acknowledged means readable, by anyone, at once
                var fetched = await reader.FetchAsync("flushed", 0, r.BaseOffset, maxMessages: 10);
                Assert.Equal($"m{i}", fetched.Records.Single().Message);
            }
            var batch = await producer.ProduceAsync("flushed", 0, ["b0", "b1", "b2"]).WaitAsync(AckBound);
            acked.AddRange(new[] { "b0", "b1", "b2" }.Select((m, i) => (batch.BaseOffset + i, m)));
            await Task.Delay(waitBeforeKill);
            await broker.KillAsync();
        }

        await using var restarted = await BrokerProcess.StartAsync(storage.Path, environment, args);
        await using var client = await GologClient.ConnectAsync("127.0.0.1", restarted.Port);
        Assert.Equal(acked, (await client.FetchAsync("flushed", 0, 0, maxMessages: 1000)).Records.Select(r => (r.Offset, r.Message)).ToList());
        Assert.Equal(acked.Count, (await client.ProduceAsync("flushed", 0, "after")).BaseOffset);
    }
}
