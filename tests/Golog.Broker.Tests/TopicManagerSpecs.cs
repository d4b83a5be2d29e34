using Golog.Core;
using System.Text;
using Akka.Actor;
using Golog.Core.Groups;
using Golog.Storage;
using Xunit.Abstractions;

using static Golog.Broker.Tests.CoreMessages;

namespace Golog.Broker.Tests;

public sealed class TopicManagerSpecs(ITestOutputHelper output) : BrokerSpec(output)
{
    /// <summary>The topic manager behind the core's router, as doors reach it.</summary>
    private IActorRef StartTopics(BrokerSettings? settings = null) => Sys.ActorOf(CoreGateway.Props(settings ?? Settings, NewSyncWorker()));

    private static CoreRequest Fetch(long correlation, string topic, int partition, long offset) =>
        Req(correlation, new FetchCommand(topic, partition, offset, MaxMessages: 1000, MaxBytes: 1024 * 1024, MaxWait: TimeSpan.Zero));

    private async Task<T> AskAsync<T>(IActorRef topics, CoreRequest request) where T : ICoreResult
    {
        var probe = CreateTestProbe();
        topics.Tell(request, probe.Ref);
        return await probe.ExpectResultAsync<T>(Patience);
    }

    private async Task<BrokerError> FailsAsync(IActorRef topics, CoreRequest request) =>
        (await AskAsync<Failed>(topics, request)).Error;

    private async Task<List<Rec>> FetchRecordsAsync(IActorRef topics, string topic, int partition, long offset = 0) =>
        Records.Decode(await AskAsync<Fetched>(topics, Fetch(0, topic, partition, offset)));

    [Fact]
    public async Task Produce_and_fetch_are_routed_to_the_named_partition()
    {
        var topics = StartTopics();
        Assert.Equal(new TopicCreated("events", 2), await AskAsync<TopicCreated>(topics, Req(1, new CreateTopicCommand("events", 2))));

        var produced = await AskAsync<Produced>(topics, Records.Produce(2, "events", 1, "to-one"));
        Assert.Equal(new Produced("events", 1, 0, 0), produced);

        Assert.Equal([new Rec(0, null, "to-one")], await FetchRecordsAsync(topics, "events", 1));
        var other = await AskAsync<Fetched>(topics, Fetch(3, "events", 0, 0));
        Assert.Equal((0, 0L), (other.Data.Length, other.HighWatermark)); // partition 0 untouched
        Assert.Contains(Directory.GetFiles(PartitionDir("events", 1), "*.log"), f => new FileInfo(f).Length > 0);
    }

    [Fact]
    public async Task Producing_to_an_unknown_topic_creates_it_with_every_partition_up_to_the_requested_one()
    {
        var topics = StartTopics();
        var produced = await AskAsync<Produced>(topics, Records.Produce(1, "auto", 2, "hello"));
        Assert.Equal(("auto", 2, 0L), (produced.Topic, produced.Partition, produced.BaseOffset));

        var metadata = await AskAsync<MetadataResult>(topics, Req(2, new MetadataQuery("auto")));
        var topic = Assert.Single(metadata.Topics);
        Assert.Equal([0, 1, 2], topic.Partitions.Select(p => p.Partition));
        for (int p = 0; p < 3; p++) Assert.True(Directory.Exists(PartitionDir("auto", p)), $"auto-{p} missing");

        // an unkeyed produce without a partition goes to some existing partition; the topic does not grow
        var anywhere = await AskAsync<Produced>(topics, Records.Produce(3, "auto", null, "x"));
        Assert.InRange(anywhere.Partition, 0, 2);
        Assert.Equal(3, (await AskAsync<MetadataResult>(topics, Req(4, new MetadataQuery("auto")))).Topics[0].Partitions.Count);
    }

    [Fact]
    public async Task Creating_a_topic_twice_fails_with_topic_already_exists()
    {
        var topics = StartTopics();
        await AskAsync<TopicCreated>(topics, Req(1, new CreateTopicCommand("twice", 3)));
        var error = await FailsAsync(topics, Req(2, new CreateTopicCommand("twice", 1)));
        Assert.Equal(BrokerErrorCode.TopicAlreadyExists, error.Code);
        var metadata = await AskAsync<MetadataResult>(topics, Req(3, new MetadataQuery("twice")));
        Assert.Equal(3, metadata.Topics[0].Partitions.Count); // the first definition stands
    }

    [Fact]
    public async Task Fetching_an_unknown_topic_or_partition_fails_with_unknown_topic_or_partition()
    {
        var topics = StartTopics();
        await AskAsync<TopicCreated>(topics, Req(1, new CreateTopicCommand("known", 1)));
        Assert.Equal(BrokerErrorCode.UnknownTopicOrPartition, (await FailsAsync(topics, Fetch(2, "nope", 0, 0))).Code);
        Assert.Equal(BrokerErrorCode.UnknownTopicOrPartition, (await FailsAsync(topics, Fetch(3, "known", 1, 0))).Code);
        Assert.Equal(BrokerErrorCode.UnknownTopicOrPartition, (await FailsAsync(topics, Req(4, new MetadataQuery("nope")))).Code);
        Assert.False(Directory.Exists(PartitionDir("nope", 0))); // a fetch never creates anything
    }

    [Theory]
    [InlineData("..")]
    [InlineData(".")]
    [InlineData("a/b")]
    [InlineData("../escape")]
    [InlineData("")]
    [InlineData("spaces are not allowed")]
    public async Task Invalid_topic_names_are_rejected_without_touching_the_disk(string name)
    {
        var topics = StartTopics();
        var requests = new CoreRequest[]
        {
            Records.Produce(1, name, null, "x"),
            Records.Produce(2, name, 0, "x"),
            Fetch(3, name, 0, 0),
            Req(4, new CreateTopicCommand(name, 1)),
        };
        foreach (var request in requests)
            Assert.Equal(BrokerErrorCode.InvalidTopicName, (await FailsAsync(topics, request)).Code);

        Assert.Empty(Directory.EnumerateFileSystemEntries(Root));
        Assert.False(Directory.Exists(Path.Combine(Root, "..", "escape-0")));
        Assert.Empty((await AskAsync<MetadataResult>(topics, Req(5, new MetadataQuery(null)))).Topics);
    }

    [Fact]
    public async Task A_keyed_produce_without_a_partition_always_lands_on_the_partition_of_its_key()
    {
        var topics = StartTopics();
        await AskAsync<TopicCreated>(topics, Req(1, new CreateTopicCommand("keyed", 8)));
        foreach (var key in new[] { "user-1", "user-2", "user-42", "" })
        {
            byte[] keyBytes = Encoding.UTF8.GetBytes(key);
            int expected = KeyPartitioner.Partition(keyBytes, 8);
            for (int i = 0; i < 4; i++)
            {
                var produced = await AskAsync<Produced>(topics,
                    Req(i, new ProduceCommand("keyed", null, Records.Of($"{key}#{i}") with { Key = keyBytes })));
                Assert.Equal(expected, produced.Partition);
            }
        }
    }

    [Fact]
    public async Task Metadata_lists_topics_in_name_order_with_their_high_watermarks()
    {
        var topics = StartTopics();
        await AskAsync<TopicCreated>(topics, Req(1, new CreateTopicCommand("zeta", 2)));
        await AskAsync<TopicCreated>(topics, Req(2, new CreateTopicCommand("alpha", 1)));
        await AskAsync<Produced>(topics, Records.Produce(3, "zeta", 0, "a", "b", "c"));
        await AskAsync<Produced>(topics, Records.Produce(4, "zeta", 1, "d"));

        // partitions publish their bounds right after the ack, so poll
        await AwaitAssertAsync(async () =>
        {
            var all = await AskAsync<MetadataResult>(topics, Req(5, new MetadataQuery(null)));
            Assert.Equal(["alpha", "zeta"], all.Topics.Select(t => t.Name));
            Assert.Equal([new PartitionBounds(0, 0, 0)], all.Topics[0].Partitions);
            Assert.Equal([new PartitionBounds(0, 0, 3), new PartitionBounds(1, 0, 1)], all.Topics[1].Partitions);
        }, Patience);
    }

    [Fact]
    public async Task A_restarted_topic_manager_rediscovers_topics_and_their_data_from_disk()
    {
        var topics = StartTopics();
        await AskAsync<TopicCreated>(topics, Req(1, new CreateTopicCommand("my-topic", 2))); // '-' in names survives the dir layout
        await AskAsync<Produced>(topics, Records.Produce(2, "my-topic", 0, "zero"));
        await AskAsync<Produced>(topics, Records.Produce(3, "my-topic", 1, "one-a", "one-b"));
        await StopAndWaitAsync(topics);

        var restarted = StartTopics();
        var metadata = await AskAsync<MetadataResult>(restarted, Req(4, new MetadataQuery(null)));
        var topic = Assert.Single(metadata.Topics);
        Assert.Equal("my-topic", topic.Name);
        Assert.Equal([new PartitionBounds(0, 0, 1), new PartitionBounds(1, 0, 2)], topic.Partitions);
        Assert.Equal([new Rec(0, null, "zero")], await FetchRecordsAsync(restarted, "my-topic", 0));
        Assert.Equal([new Rec(0, null, "one-a"), new Rec(1, null, "one-b")], await FetchRecordsAsync(restarted, "my-topic", 1));
        Assert.Equal(BrokerErrorCode.TopicAlreadyExists, (await FailsAsync(restarted, Req(5, new CreateTopicCommand("my-topic", 2)))).Code);
        Assert.Equal(2, (await AskAsync<Produced>(restarted, Records.Produce(6, "my-topic", 1, "one-c"))).BaseOffset);
    }

    [Fact]
    public async Task Metadata_right_after_a_restart_reports_the_high_watermarks_on_disk_not_empty_logs()
    {
        const int partitions = 64; // enough that some are still opening when the first query arrives
        // A hang guard, not a speed check: 64 partitions' first appends and opens each fsync several files on the
        // partition dispatcher, and on this 2-core machine that has taken up to ~50 s (an open issue in the notes).
        var hangGuard = TimeSpan.FromMinutes(2);
        var topics = StartTopics();
        await AskAsync<TopicCreated>(topics, Req(1, new CreateTopicCommand("wide", partitions)));
        var probe = CreateTestProbe();
        for (int p = 0; p < partitions; p++) topics.Tell(Records.Produce(p, "wide", p, "x", "y"), probe.Ref);
        for (int p = 0; p < partitions; p++) await probe.ExpectResultAsync<Produced>(hangGuard);
        await StopAndWaitAsync(topics);

        var restarted = StartTopics();
        restarted.Tell(Req(2, new MetadataQuery(null)), probe.Ref); // no waiting before asking
        var metadata = await probe.ExpectResultAsync<MetadataResult>(hangGuard);
        Assert.All(Assert.Single(metadata.Topics).Partitions, p => Assert.Equal(2, p.HighWatermark));
    }

    [Fact]
    public async Task Metadata_is_still_answered_when_a_partition_cannot_be_opened()
    {
        File.WriteAllText(PartitionDir("broken", 0), "a file where the partition directory should be");
        var topics = StartTopics();
        await AskAsync<TopicCreated>(topics, Req(1, new CreateTopicCommand("broken", 1)));
        var metadata = await AskAsync<MetadataResult>(topics, Req(2, new MetadataQuery("broken")));
        Assert.Equal([new PartitionBounds(0, 0, 0)], Assert.Single(metadata.Topics).Partitions);
    }

    [Fact]
    public async Task Negative_partitions_and_empty_topics_are_refused_without_disturbing_existing_partitions()
    {
        var topics = StartTopics();
        await AskAsync<Produced>(topics, Records.Produce(1, "steady", 0, "before"));

        Assert.Equal(BrokerErrorCode.UnknownTopicOrPartition, (await FailsAsync(topics, Records.Produce(2, "steady", -1, "x"))).Code);
        Assert.Equal(BrokerErrorCode.UnknownTopicOrPartition, (await FailsAsync(topics, Fetch(3, "steady", -1, 0))).Code);
        Assert.Equal(BrokerErrorCode.UnknownTopicOrPartition,
            (await FailsAsync(topics, Req(4, new CommitCommand("g", new TopicPartition("steady", -1), 0)))).Code);
        Assert.Equal(BrokerErrorCode.InvalidRequest, (await FailsAsync(topics, Req(5, new CreateTopicCommand("empty", 0)))).Code);
        Assert.Equal(BrokerErrorCode.UnknownTopicOrPartition, (await FailsAsync(topics, Req(6, new MetadataQuery("empty")))).Code);

        // the topic manager did not restart (which would have stopped every partition): the partition still has its record
        Assert.Equal(1, (await AskAsync<Produced>(topics, Records.Produce(7, "steady", 0, "after"))).BaseOffset);
    }

    [Fact]
    public async Task After_CloseForShutdown_nothing_new_is_created_and_requests_get_broker_shutting_down()
    {
        var topics = StartTopics();
        await AskAsync<Produced>(topics, Records.Produce(1, "existing", 0, "x"));
        await AskAsync<OffsetCommitted>(topics, Req(2, new CommitCommand("old-group", new TopicPartition("existing", 0), 1)));
        Assert.True((await topics.Ask<Closed>(CloseForShutdown.Instance, Patience)).Clean);

        var requests = new CoreRequest[]
        {
            Records.Produce(3, "existing", 0, "late"),
            Records.Produce(4, "brand-new", 0, "late"),
            Req(5, new CreateTopicCommand("also-new", 1)),
            Fetch(6, "existing", 0, 0),
            Req(7, new CommitCommand("old-group", new TopicPartition("existing", 0), 1)),
            Req(8, new CommitCommand("new-group", new TopicPartition("existing", 0), 1)),
        };
        foreach (var request in requests)
            Assert.Equal(BrokerErrorCode.BrokerShuttingDown, (await FailsAsync(topics, request)).Code);
        Assert.False(Directory.Exists(PartitionDir("brand-new", 0)));
        Assert.False(Directory.Exists(PartitionDir("also-new", 0)));
        Assert.False(File.Exists(StorageLayout.GroupOffsetsFile(Root, "new-group")));
    }

    [Fact]
    public async Task A_produce_or_fetch_past_an_existing_topic_s_last_partition_is_refused_and_the_topic_does_not_grow()
    {
        var topics = StartTopics();
        await AskAsync<TopicCreated>(topics, Req(1, new CreateTopicCommand("orders", 6)));

        foreach (var request in new[] { Records.Produce(2, "orders", 6, "typo"), Records.Produce(3, "orders", 99, "typo"), Fetch(4, "orders", 6, 0) })
        {
            var error = await FailsAsync(topics, request);
            Assert.Equal(BrokerErrorCode.UnknownTopicOrPartition, error.Code);
            Assert.Contains("has 6 partitions (0 to 5)", error.Message);
        }
        Assert.Equal(6, (await AskAsync<MetadataResult>(topics, Req(5, new MetadataQuery("orders")))).Topics[0].Partitions.Count);
        Assert.False(Directory.Exists(PartitionDir("orders", 6)));
    }

    [Fact]
    public async Task Create_partitions_grows_a_topic_to_the_count_asked_and_never_shrinks_it()
    {
        var topics = StartTopics();
        await AskAsync<TopicCreated>(topics, Req(1, new CreateTopicCommand("growing", 2)));
        await AskAsync<Produced>(topics, Records.Produce(2, "growing", 1, "kept"));

        Assert.Equal(new PartitionsCreated("growing", 4), await AskAsync<PartitionsCreated>(topics, Req(3, new CreatePartitionsCommand("growing", 4))));
        Assert.Equal(new Produced("growing", 3, 0, 0), await AskAsync<Produced>(topics, Records.Produce(4, "growing", 3, "new")));
        Assert.Equal([new Rec(0, null, "kept")], await FetchRecordsAsync(topics, "growing", 1));

        var same = await FailsAsync(topics, Req(5, new CreatePartitionsCommand("growing", 4)));
        Assert.Equal((BrokerErrorCode.InvalidPartitions, true), (same.Code, same.Message.Contains("already has 4 partitions")));
        Assert.Equal(BrokerErrorCode.InvalidPartitions, (await FailsAsync(topics, Req(6, new CreatePartitionsCommand("growing", 1)))).Code);
        Assert.Equal(BrokerErrorCode.UnknownTopicOrPartition, (await FailsAsync(topics, Req(7, new CreatePartitionsCommand("absent", 3)))).Code);
        Assert.Equal(4, (await AskAsync<MetadataResult>(topics, Req(8, new MetadataQuery("growing")))).Topics[0].Partitions.Count);
        Assert.False(Directory.Exists(PartitionDir("absent", 0)));
    }

    [Fact]
    public async Task Deleting_a_topic_answers_its_waiting_fetch_removes_its_files_and_a_later_produce_starts_it_afresh()
    {
        var topics = StartTopics();
        await AskAsync<TopicCreated>(topics, Req(1, new CreateTopicCommand("doomed", 2)));
        await AskAsync<Produced>(topics, Records.Produce(2, "doomed", 0, "a", "b"));
        var poller = CreateTestProbe();
        topics.Tell(Req(3, new FetchCommand("doomed", 0, 2, 100, 1024, MaxWait: TimeSpan.FromMinutes(5))), poller.Ref); // parked at the end

        Assert.Equal(new TopicDeleted("doomed", 2), await AskAsync<TopicDeleted>(topics, Req(4, new DeleteTopicCommand("doomed"))));
        var answered = await poller.ExpectResultAsync<Fetched>(Patience); // not left waiting minutes for a topic that is gone
        Assert.Equal(0, answered.Data.Length);
        Assert.False(Directory.Exists(PartitionDir("doomed", 0)));
        Assert.False(Directory.Exists(PartitionDir("doomed", 1)));
        Assert.Empty(Directory.GetDirectories(Root, "doomed*"));

        Assert.Equal(BrokerErrorCode.UnknownTopicOrPartition, (await FailsAsync(topics, Fetch(5, "doomed", 0, 0))).Code);
        Assert.Equal(BrokerErrorCode.UnknownTopicOrPartition, (await FailsAsync(topics, Req(6, new MetadataQuery("doomed")))).Code);
        Assert.Equal(BrokerErrorCode.UnknownTopicOrPartition, (await FailsAsync(topics, Req(7, new DeleteTopicCommand("doomed")))).Code);

        // the name is free: a produce auto-creates a new, empty topic with the default partition count
        Assert.Equal(new Produced("doomed", 0, 0, 0), await AskAsync<Produced>(topics, Records.Produce(8, "doomed", 0, "again")));
        Assert.Equal([new Rec(0, null, "again")], await FetchRecordsAsync(topics, "doomed", 0));
        Assert.Equal(Settings.DefaultPartitions, (await AskAsync<MetadataResult>(topics, Req(9, new MetadataQuery("doomed")))).Topics[0].Partitions.Count);
    }

    [Fact]
    public async Task Deleting_a_topic_drops_its_offsets_in_every_group_including_groups_only_on_disk()
    {
        var topics = StartTopics();
        await AskAsync<TopicCreated>(topics, Req(1, new CreateTopicCommand("shared", 1)));
        await AskAsync<TopicCreated>(topics, Req(2, new CreateTopicCommand("other", 1)));
        await AskAsync<Produced>(topics, Records.Produce(3, "shared", 0, "a", "b"));
        await AskAsync<Produced>(topics, Records.Produce(4, "other", 0, "a"));
        foreach (var (group, topic) in new[] { ("asleep", "shared"), ("asleep", "other"), ("awake", "shared") })
            await AskAsync<OffsetCommitted>(topics, Req(5, new CommitCommand(group, new TopicPartition(topic, 0), 1)));
        await StopAndWaitAsync(topics);

        var restarted = StartTopics(); // "asleep" now only has its offsets file; "awake" runs again once asked
        Assert.Equal(1, (await AskAsync<CommittedOffset>(restarted, Req(6, new CommittedQuery("awake", new TopicPartition("shared", 0))))).Offset);
        await AskAsync<TopicDeleted>(restarted, Req(7, new DeleteTopicCommand("shared")));
        await AskAsync<TopicCreated>(restarted, Req(8, new CreateTopicCommand("shared", 1)));

        foreach (var group in new[] { "asleep", "awake" })
            Assert.Null((await AskAsync<CommittedOffset>(restarted, Req(9, new CommittedQuery(group, new TopicPartition("shared", 0))))).Offset);
        Assert.Equal(1, (await AskAsync<CommittedOffset>(restarted, Req(10, new CommittedQuery("asleep", new TopicPartition("other", 0))))).Offset);
        await StopAndWaitAsync(restarted);
        using var store = OffsetStore.Open(StorageLayout.GroupOffsetsFile(Root, "asleep"), Serilog.Log.Logger); // dropped on disk too
        Assert.Equal([new TopicPartition("other", 0)], store.Offsets.Keys);
    }
}
