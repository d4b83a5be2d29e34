using Golog.Core;
using Akka.Actor;
using Akka.Configuration;
using Golog.Storage;
using Xunit.Abstractions;

using static Golog.Broker.Tests.CoreMessages;

namespace Golog.Broker.Tests;

/// <summary>Retention as a partition actor runs it: on its own timer, off the produce path, per-topic limits from HOCON.</summary>
public sealed class RetentionSpecs(ITestOutputHelper output) : BrokerSpec(output)
{
    /// <summary>Ten messages per segment, a check every 100 ms, and "orders" keeping as little as retention allows.</summary>
    private BrokerSettings TinyRetention() => BrokerSettings.From(ConfigurationFactory.ParseString("""
        golog.segment.messages = 10
        golog.retention.check-interval = 100ms
        golog.topics.overrides { orders { retention.bytes = 1 } }
        """).WithFallback(Sys.Settings.Config)) with { StorageDirectory = Root };

    private IActorRef Start(string topic, BrokerSettings settings, PartitionStatus status) =>
        Sys.ActorOf(PartitionActor.Props(new TopicPartition(topic, 0), settings, NewSyncWorker(), status, cleanStart: false));

    private static CoreRequest FetchAt(string topic, long offset) => Req(0, new FetchCommand(topic, 0, offset, 1000, 1024 * 1024, TimeSpan.Zero));

    private async Task ProduceSinglesAsync(IActorRef partition, string topic, int count)
    {
        var probe = CreateTestProbe();
        for (int i = 0; i < count; i++) partition.Tell(Records.Produce(i, topic, 0, $"m{i}"), probe.Ref);
        for (int i = 0; i < count; i++) Assert.Equal(i, (await probe.ExpectResultAsync<Produced>(Patience)).BaseOffset);
    }

    [Fact]
    public async Task Closed_segments_past_the_limit_are_deleted_by_the_timer_and_fetches_below_the_log_start_get_its_offset()
    {
        var settings = TinyRetention();
        var status = new PartitionStatus();
        var partition = Start("orders", settings, status);
        await ProduceSinglesAsync(partition, "orders", 35);

        // segments 0, 10 and 20 are closed and go; the active one (30..34) stays however small the limit
        await AwaitConditionAsync(() => Task.FromResult(status.LogStartOffset == 30), Patience);
        var probe = CreateTestProbe();
        partition.Tell(FetchAt("orders", 29), probe.Ref);
        var failed = await probe.ExpectResultAsync<Failed>(Patience);
        Assert.Equal(BrokerErrorCode.OffsetOutOfRange, failed.Error.Code);
        Assert.Equal(30, failed.Error.LogStartOffset);
        Assert.Equal(35, failed.Error.HighWatermark);

        partition.Tell(FetchAt("orders", 30), probe.Ref);
        var fetched = await probe.ExpectResultAsync<Fetched>(Patience);
        Assert.Equal(30, fetched.LogStartOffset);
        Assert.Equal(Enumerable.Range(30, 5).Select(i => $"m{i}"), Records.Decode(fetched).Select(r => r.Value));
        Assert.Equal(["00000000000000000030.log"], Directory.GetFiles(PartitionDir("orders", 0), "*.log").Select(Path.GetFileName));

        // producing carries on at the log end, and the new log start survives a restart
        partition.Tell(Records.Produce(99, "orders", 0, "after"), probe.Ref);
        Assert.Equal(35, (await probe.ExpectResultAsync<Produced>(Patience)).BaseOffset);
        await StopAndWaitAsync(partition);
        var restartedStatus = new PartitionStatus();
        Start("orders", settings, restartedStatus);
        await restartedStatus.Opened.WaitAsync(Patience);
        Assert.Equal((30L, 36L), (restartedStatus.LogStartOffset, restartedStatus.HighWatermark));
    }

    [Fact]
    public async Task A_topic_without_an_override_keeps_the_broker_default_and_loses_nothing()
    {
        var settings = TinyRetention();
        var ordersStatus = new PartitionStatus();
        var keptStatus = new PartitionStatus();
        var orders = Start("orders", settings, ordersStatus);
        var kept = Start("kept", settings, keptStatus);
        await ProduceSinglesAsync(orders, "orders", 25);
        await ProduceSinglesAsync(kept, "kept", 25);

        await AwaitConditionAsync(() => Task.FromResult(ordersStatus.LogStartOffset == 20), Patience);
        Assert.Equal(0, keptStatus.LogStartOffset); // the broker default, 7 days, has not expired anything
        var probe = CreateTestProbe();
        kept.Tell(FetchAt("kept", 0), probe.Ref);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"m{i}"), Records.Decode(await probe.ExpectResultAsync<Fetched>(Patience)).Select(r => r.Value));
    }
}
