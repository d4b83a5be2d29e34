using Golog.Client;

namespace Golog.EndToEnd.Tests;

/// <summary>What a broker restart, clean or kill -9, must not lose.</summary>
public sealed class DurabilityTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Acknowledged_messages_and_commits_survive_a_restart(bool kill9)
    {
        using var storage = new TempStorage();
        var acked = new List<(long Offset, string Message)>();
        await using (var broker = await BrokerProcess.StartAsync(storage.Path))
        {
            await using var client = await GologClient.ConnectAsync("127.0.0.1", broker.Port);
            for (int i = 0; i < 50; i++)
            {
                var r = await client.ProduceAsync("durable", 0, $"message-{i}");
                acked.Add((r.BaseOffset, $"message-{i}"));
            }
            var batch = await client.ProduceAsync("durable", 0, ["b1", "b2", "b3"]);
            acked.Add((batch.BaseOffset, "b1"));
            acked.Add((batch.BaseOffset + 1, "b2"));
            acked.Add((batch.BaseOffset + 2, "b3"));
            await client.CommitAsync("g", "durable", 0, 17);
            if (kill9) await broker.KillAsync();
            else Assert.Equal(0, await broker.StopAsync());
            Assert.Equal(kill9, !File.Exists(Path.Combine(storage.Path, ".clean-shutdown")));
        }

        await using var restarted = await BrokerProcess.StartAsync(storage.Path);
        await using var reader = await GologClient.ConnectAsync("127.0.0.1", restarted.Port);
        var fetched = await reader.FetchAsync("durable", 0, 0, maxMessages: 1000);
        Assert.Equal(acked, fetched.Records.Select(r => (r.Offset, r.Message)).ToList());
        Assert.Equal(17, await reader.CommittedAsync("g", "durable", 0));
        var next = await reader.ProduceAsync("durable", 0, "after-restart");
        Assert.Equal(acked.Count, next.BaseOffset);
    }
}
