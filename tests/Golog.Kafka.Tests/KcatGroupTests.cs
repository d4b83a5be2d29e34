namespace Golog.Kafka.Tests;

/// <summary>
/// kcat's balanced consumer (-G, librdkafka 2.0.2) as a group of one on the Kafka door's coordinator, and its offsets
/// seen from the JSON door: one offset store per group, whichever door committed.
/// </summary>
public sealed class KcatGroupTests : IAsyncLifetime
{
    private KafkaTestBroker _broker = null!;

    public async Task InitializeAsync() => _broker = await KafkaTestBroker.StartAsync();
    public async Task DisposeAsync() => await _broker.DisposeAsync();

    private Task<string> ConsumeAsGroupAsync(string group, string topic) =>
        Kcat.OkAsync(_broker.Bootstrap, null, "-G", group, "-e", "-X", "auto.offset.reset=earliest", "-f", "%p %o %s\n", topic);

    [SkippableFact]
    public async Task A_group_of_one_reads_everything_commits_on_exit_and_the_JSON_door_reads_its_offset()
    {
        Kcat.SkipUnlessInstalled();
        await Kcat.OkAsync(_broker.Bootstrap, "a\nb\nc\n", "-P", "-t", "orders");

        Assert.Equal("0 0 a\n0 1 b\n0 2 c\n", await ConsumeAsGroupAsync("g1", "orders"));
        Assert.Equal("", await ConsumeAsGroupAsync("g1", "orders")); // resumes after its commit: nothing new

        await using var json = await JsonDoorClient.ConnectAsync(_broker.JsonPort);
        Assert.Equal(3, await json.CommittedAsync("g1", "orders", 0));
    }

    [SkippableFact]
    public async Task A_group_resumes_from_an_offset_committed_through_the_JSON_door()
    {
        Kcat.SkipUnlessInstalled();
        await Kcat.OkAsync(_broker.Bootstrap, "a\nb\nc\nd\n", "-P", "-t", "orders");
        await using var json = await JsonDoorClient.ConnectAsync(_broker.JsonPort);
        await json.CommitAsync("g2", "orders", 0, 2);

        Assert.Equal("0 2 c\n0 3 d\n", await ConsumeAsGroupAsync("g2", "orders"));
    }
}
