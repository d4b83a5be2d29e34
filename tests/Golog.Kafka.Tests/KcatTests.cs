using System.Text.RegularExpressions;

namespace Golog.Kafka.Tests;

/// <summary>kcat 1.7.1 (librdkafka 2.0.2) against the Kafka door: metadata, produce with every acks setting and codec, consume, offsets.</summary>
public sealed partial class KcatTests : IAsyncLifetime
{
    private KafkaTestBroker _broker = null!;

    public async Task InitializeAsync() => _broker = await KafkaTestBroker.StartAsync();
    public async Task DisposeAsync() => await _broker.DisposeAsync();

    [SkippableFact]
    public async Task Metadata_shows_one_broker_at_the_advertised_listener_as_controller()
    {
        Kcat.SkipUnlessInstalled();
        var stdout = await Kcat.OkAsync(_broker.Bootstrap, null, "-L");
        Assert.Contains($"1 brokers:\n  broker 1 at localhost:{_broker.KafkaPort} (controller)", stdout);
    }

    [SkippableFact]
    public async Task Messages_produced_with_acks_all_none_and_leader_are_consumed_in_order_from_the_beginning()
    {
        Kcat.SkipUnlessInstalled();
        await Kcat.OkAsync(_broker.Bootstrap, "k1:hello\nk2:world\n", "-P", "-t", "orders", "-K:");
        await Kcat.OkAsync(_broker.Bootstrap, "a\nb\n", "-P", "-t", "orders", "-X", "acks=0");
        await Kcat.OkAsync(_broker.Bootstrap, "c\n", "-P", "-t", "orders", "-X", "acks=1");

        var consumed = await Kcat.OkAsync(_broker.Bootstrap, null, "-C", "-t", "orders", "-o", "beginning", "-e", "-f", "%p %o %k=%s\n");
        Assert.Equal("0 0 k1=hello\n0 1 k2=world\n0 2 =a\n0 3 =b\n0 4 =c\n", consumed);
    }

    [SkippableTheory]
    [InlineData("gzip", 1)]
    [InlineData("snappy", 2)]
    [InlineData("lz4", 3)] // librdkafka 2.0.2 compresses lz4 only when FindCoordinator v0 is advertised
    public async Task A_compressed_batch_is_stored_compressed_as_sent_and_consumed_back(string codec, int stored)
    {
        Kcat.SkipUnlessInstalled();
        string big = new('x', 5000); // librdkafka sends small batches uncompressed when compressing would not shrink them
        await Kcat.OkAsync(_broker.Bootstrap, $"{big}\nsecond\n", "-P", "-t", "zipped", "-z", codec);

        var consumed = await Kcat.OkAsync(_broker.Bootstrap, null, "-C", "-t", "zipped", "-o", "beginning", "-e", "-f", "%o %s\n");
        Assert.Equal($"0 {big}\n1 second\n", consumed);
        // the large message's batch (the small one may travel alone, uncompressed)
        Assert.Equal(stored, StoredBatches.Read(_broker.StorageDirectory, "zipped", 0)[0].Compression);
    }

    [SkippableFact]
    public async Task Consuming_from_the_end_from_an_offset_and_the_last_two_uses_list_offsets()
    {
        Kcat.SkipUnlessInstalled();
        await Kcat.OkAsync(_broker.Bootstrap, "m0\nm1\nm2\nm3\nm4\n", "-P", "-t", "positions");

        Assert.Equal("2 m2\n3 m3\n4 m4\n", await Kcat.OkAsync(_broker.Bootstrap, null, "-C", "-t", "positions", "-o", "2", "-e", "-f", "%o %s\n"));
        Assert.Equal("3 m3\n4 m4\n", await Kcat.OkAsync(_broker.Bootstrap, null, "-C", "-t", "positions", "-o", "-2", "-e", "-f", "%o %s\n"));
        Assert.Equal("", await Kcat.OkAsync(_broker.Bootstrap, null, "-C", "-t", "positions", "-o", "end", "-e", "-f", "%o %s\n"));
    }

    [SkippableFact]
    public async Task Query_of_the_latest_offset_answers_the_high_watermark_and_by_timestamp_says_it_is_unsupported()
    {
        Kcat.SkipUnlessInstalled();
        await Kcat.OkAsync(_broker.Bootstrap, "m0\nm1\nm2\n", "-P", "-t", "queried");

        Assert.Contains("queried [0] offset 3", await Kcat.OkAsync(_broker.Bootstrap, null, "-Q", "-t", "queried:0:-1"));
        var (exit, _, stderr) = await Kcat.RunAsync(_broker.Bootstrap, null, "-Q", "-t", "queried:0:1000");
        Assert.NotEqual(0, exit);
        Assert.Contains("Invalid request", stderr);
    }

    [SkippableFact]
    public async Task A_consumer_of_a_topic_that_does_not_exist_is_told_so_and_nothing_is_created()
    {
        Kcat.SkipUnlessInstalled();
        var (exit, _, stderr) = await Kcat.RunAsync(_broker.Bootstrap, null, "-C", "-t", "nosuch", "-e");
        Assert.NotEqual(0, exit);
        Assert.Contains("Unknown topic or partition", stderr);
        Assert.DoesNotContain("nosuch", await Kcat.OkAsync(_broker.Bootstrap, null, "-L"));
    }

    [SkippableFact]
    public async Task The_version_audit_shows_the_versions_every_client_is_meant_to_pick()
    {
        Kcat.SkipUnlessInstalled();
        var (_, _, produceLog) = await Kcat.RunAsync(_broker.Bootstrap, "x\n", "-P", "-t", "audited", "-d", "protocol");
        var (_, _, consumeLog) = await Kcat.RunAsync(_broker.Bootstrap, null, "-C", "-t", "audited", "-o", "-1", "-e", "-d", "protocol");

        var sent = SentRequest().Matches(produceLog + consumeLog).Select(m => $"{m.Groups[1].Value} v{m.Groups[2].Value}").ToHashSet();
        Assert.Equal(new[] { "ApiVersion v3", "Fetch v4", "ListOffsets v1", "Metadata v4", "Produce v3" }, sent.Order());
    }

    [GeneratedRegex(@"Sent (\w+)Request \(v(\d+)")]
    private static partial Regex SentRequest();
}
