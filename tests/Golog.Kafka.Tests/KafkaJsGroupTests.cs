using System.Text.Json;

namespace Golog.Kafka.Tests;

/// <summary>
/// KafkaJS 2.2.4 consumer groups (kafkajs/group.js) on the Kafka door's coordinator: its RoundRobinAssigner runs in
/// the elected leader, the broker only hands the bytes out. Skipped where node or the installed package is missing.
/// </summary>
public sealed class KafkaJsGroupTests : IAsyncLifetime
{
    private KafkaTestBroker _broker = null!;

    public async Task InitializeAsync() => _broker = await KafkaTestBroker.StartAsync();
    public async Task DisposeAsync() => await _broker.DisposeAsync();

    [SkippableFact]
    public async Task Two_members_read_only_their_own_partitions_and_after_one_leaves_the_other_takes_all_four()
    {
        Skip.IfNot(Directory.Exists(Path.Combine(KafkaJsTests.Dir, "node_modules", "kafkajs")), "KafkaJS is not installed (tests/run.sh runs npm ci)");
        var r = JsonDocument.Parse(await KafkaJsTests.RunNodeAsync("group.js", _broker.Bootstrap)).RootElement;

        int[] Ints(JsonElement e) => e.EnumerateArray().Select(x => x.GetInt32()).ToArray();
        var (c1, c2) = (Ints(r.GetProperty("split").GetProperty("c1")), Ints(r.GetProperty("split").GetProperty("c2")));
        Assert.Equal([0, 1, 2, 3], c1.Concat(c2).Order()); // disjoint halves, together every partition
        Assert.True(r.GetProperty("ownOnly").GetBoolean(), r.ToString());
        Assert.True(r.GetProperty("firstRead").GetProperty("c1").GetInt32() > 0 && r.GetProperty("firstRead").GetProperty("c2").GetInt32() > 0, r.ToString());
        Assert.Equal([0, 1, 2, 3], Ints(r.GetProperty("afterLeave")));
        Assert.Equal([0, 1, 2, 3], Ints(r.GetProperty("readAfterLeave")));
        Assert.Equal(80, r.GetProperty("committed").GetInt32());
        Assert.Equal(("Stable", "RoundRobinAssigner", 1),
            (r.GetProperty("state").GetString(), r.GetProperty("protocol").GetString(), r.GetProperty("members").GetInt32()));
    }
}
