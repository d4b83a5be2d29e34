using System.Text;
using Golog.Client;
using Golog.Protocol;

namespace Golog.Http.Tests;

/// <summary>/metrics of a running broker, scraped and parsed, against what a client really produced, fetched and committed.</summary>
public class MetricsTests
{
    private static string NewTopic() => "metrics-" + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task Produced_and_fetched_counters_move_by_the_messages_and_bytes_the_clients_saw()
    {
        await using var broker = await HttpBroker.StartAsync();
        await using var client = await broker.ConnectAsync();
        string topic = NewTopic();
        for (int batch = 0; batch < 3; batch++)
            await client.ProduceAsync(topic, 0, Enumerable.Range(0, 100).Select(i => $"message-{batch}-{i}").ToList());
        var all = await client.FetchAsync(topic, 0, 0, maxMessages: 1000);
        var some = await client.FetchAsync(topic, 0, 150, maxMessages: 50);

        var scrape = await broker.ScrapeAsync();

        Assert.Equal(300, all.Records.Count);
        Assert.Equal(50, some.Records.Count);
        Assert.Equal(300, scrape.Value("golog_produced_messages_total", $"topic={topic}"));
        Assert.Equal(350, scrape.Value("golog_fetched_messages_total", $"topic={topic}"));
        long valueBytes = all.Records.Sum(r => (long)r.Message.Length);
        Assert.InRange(scrape.Value("golog_produced_bytes_total", $"topic={topic}"), valueBytes, valueBytes * 3); // batches carry framing
        Assert.True(scrape.Value("golog_fetched_bytes_total", $"topic={topic}") >= valueBytes);
        Assert.Equal(300, scrape.Value("golog_partition_high_watermark", $"topic={topic}", "partition=0"));
        Assert.Equal(300, scrape.Value("golog_partition_log_end_offset", $"topic={topic}", "partition=0"));
        Assert.Equal(0, scrape.Value("golog_partition_log_start_offset", $"topic={topic}", "partition=0"));
        Assert.True(scrape.Value("golog_partition_size_bytes", $"topic={topic}", "partition=0") >= valueBytes);
    }

    [Fact]
    public async Task Every_acknowledging_fsync_is_counted_and_group_commit_sizes_add_up_to_the_messages_acknowledged()
    {
        await using var broker = await HttpBroker.StartAsync();
        await using var client = await broker.ConnectAsync();
        string topic = NewTopic();
        await client.CreateTopicAsync(topic, 1);
        var before = await broker.ScrapeAsync();
        for (int i = 0; i < 5; i++) await client.ProduceAsync(topic, 0, ["one", "two"]); // one after the other: each waits for its own fsync

        var after = await broker.ScrapeAsync();

        Assert.True(after.Value("golog_fsync_duration_seconds_count") - before.Value("golog_fsync_duration_seconds_count") >= 5);
        Assert.Equal(5, after.Value("golog_group_commit_messages_count") - before.Value("golog_group_commit_messages_count"));
        Assert.Equal(10, after.Value("golog_group_commit_messages_sum") - before.Value("golog_group_commit_messages_sum"));
        Assert.True(after.Value("golog_fsync_duration_seconds_sum") > before.Value("golog_fsync_duration_seconds_sum"));
    }

    [Fact]
    public async Task Group_lag_is_the_high_watermark_minus_the_committed_offset_and_members_are_counted()
    {
        await using var broker = await HttpBroker.StartAsync();
        await using var client = await broker.ConnectAsync();
        string topic = NewTopic(), group = "lag-" + topic;
        await client.ProduceAsync(topic, 0, Enumerable.Range(0, 10).Select(i => $"m{i}").ToList());
        await client.CommitAsync(group, topic, 0, 4);

        var committedAt4 = await broker.ScrapeAsync();
        var joined = await client.JoinGroupAsync(group, [topic]);
        await client.ProduceAsync(topic, 0, ["m10", "m11"]);
        await client.CommitAsync(group, topic, 0, 12, member: new MemberGeneration(joined.MemberId, joined.GenerationId));
        var caughtUp = await broker.ScrapeAsync();

        Assert.Equal(10 - 4, committedAt4.Value("golog_consumer_group_lag", $"group={group}", $"topic={topic}", "partition=0"));
        Assert.Equal(0, committedAt4.Value("golog_consumer_group_members", $"group={group}"));
        Assert.Equal(0, caughtUp.Value("golog_consumer_group_lag", $"group={group}", $"topic={topic}", "partition=0"));
        Assert.Equal(1, caughtUp.Value("golog_consumer_group_members", $"group={group}"));
    }

    [Fact]
    public async Task Doors_label_their_connections_request_durations_and_refusals()
    {
        await using var broker = await HttpBroker.StartAsync();
        await using var client = await broker.ConnectAsync();
        string topic = NewTopic();
        await client.ProduceAsync(topic, 0, "x");
        await Assert.ThrowsAsync<GologException>(() => client.FetchAsync(topic + "-missing", 0, 0));

        var scrape = await broker.ScrapeAsync();

        Assert.True(scrape.Value("golog_connections", "door=json") >= 1);
        Assert.True(scrape.Value("golog_connections", "door=http") >= 1); // this scrape's own connection
        Assert.True(scrape.Value("golog_request_duration_seconds_count", "door=json", "request=produce") >= 1);
        Assert.True(scrape.Value("golog_request_duration_seconds_count", "door=json", "request=fetch") >= 1);
        Assert.True(scrape.Value("golog_rejected_requests_total", "door=json", "code=unknown_topic_or_partition") >= 1);
        Assert.Equal("histogram", scrape.TypeOf["golog_request_duration_seconds"]);
        Assert.Equal(0, scrape.Value("golog_storage_errors_total"));
        Assert.Equal("counter", scrape.TypeOf["golog_storage_errors_total"]);
    }

    [Fact]
    public async Task The_runtime_reports_garbage_collection_thread_pool_and_memory()
    {
        await using var broker = await HttpBroker.StartAsync();
        var scrape = await broker.ScrapeAsync();
        var names = scrape.Samples.Select(s => s.Name).ToHashSet();

        Assert.Contains(names, n => n.StartsWith("dotnet_gc_", StringComparison.Ordinal));
        Assert.Contains(names, n => n.StartsWith("dotnet_thread_pool_", StringComparison.Ordinal));
        Assert.Contains(names, n => n.StartsWith("dotnet_process_memory_", StringComparison.Ordinal));
    }
}
