using Golog.Client;
using Golog.Harness;

namespace Golog.EndToEnd.Tests;

/// <summary>
/// More partitions than the process may open files: the broker keeps its segment files in a bounded cache under the
/// open-file limit (ulimit -n), so it serves every partition, before and after a restart, and never runs out of
/// descriptors (which would abort the .NET runtime).
/// </summary>
public sealed class ManyPartitionsTests
{
    private const int OpenFileLimit = 700; // an idle broker holds about 250 descriptors
    private const int Topics = 800;

    [SkippableFact]
    public async Task A_broker_with_more_partitions_than_descriptors_serves_every_one_and_stays_up_across_a_restart()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "ulimit -n and /proc/PID/fd are Linux's");
        using var storage = new TempStorage();
        await using (var broker = await BrokerProcess.StartWithOpenFileLimitAsync(storage.Path, OpenFileLimit))
        {
            await using var client = await GologClient.ConnectAsync("127.0.0.1", broker.Port);
            await ForEachTopicAsync(async t => Assert.Equal(0, (await client.ProduceAsync(t, 0, $"first-{t}")).BaseOffset));
            await ForEachTopicAsync(async t => Assert.Equal(1, (await client.ProduceAsync(t, 0, $"second-{t}")).BaseOffset));
            await FetchEveryTopicAsync(client);
            Assert.False(broker.HasExited, broker.Log);
            Assert.True(broker.OpenDescriptors() < OpenFileLimit, $"{broker.OpenDescriptors()} descriptors open");
            Assert.Equal(0, await broker.StopAsync());
        }
        await using (var restarted = await BrokerProcess.StartWithOpenFileLimitAsync(storage.Path, OpenFileLimit))
        {
            await using var client = await GologClient.ConnectAsync("127.0.0.1", restarted.Port);
            await FetchEveryTopicAsync(client);
            await ForEachTopicAsync(async t => Assert.Equal(2, (await client.ProduceAsync(t, 0, $"third-{t}")).BaseOffset));
            Assert.False(restarted.HasExited, restarted.Log);
            Assert.True(restarted.OpenDescriptors() < OpenFileLimit, $"{restarted.OpenDescriptors()} descriptors open");
            Assert.Equal(0, await restarted.StopAsync());
        }
    }

    private static async Task FetchEveryTopicAsync(GologClient client) => await ForEachTopicAsync(async t =>
    {
        var fetched = await client.FetchAsync(t, 0, 0);
        Assert.Equal([$"first-{t}", $"second-{t}"], fetched.Records.Take(2).Select(r => r.Message));
    });

    /// <summary>Runs <paramref name="action"/> for every topic, 50 at a time (the client pipelines them on its connection).</summary>
    private static async Task ForEachTopicAsync(Func<string, Task> action)
    {
        foreach (var chunk in Enumerable.Range(0, Topics).Select(i => $"many-{i}").Chunk(50))
            await Task.WhenAll(chunk.Select(action));
    }
}
