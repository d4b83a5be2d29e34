using Golog.Core;
using Akka.Actor;
using Golog.Core.Groups;
using Xunit.Abstractions;

using static Golog.Broker.Tests.CoreMessages;

namespace Golog.Broker.Tests;

/// <summary>Topic lifecycle at its limits: golog.topics.max, and partition numbers at the edge of int.</summary>
public sealed class TopicLimitSpecs(ITestOutputHelper output) : BrokerSpec(output)
{
    private IActorRef StartTopics(BrokerSettings settings) => Sys.ActorOf(CoreGateway.Props(settings, NewSyncWorker()));

    [Fact]
    public async Task Past_the_topic_limit_nothing_new_is_created_and_existing_topics_still_take_writes()
    {
        var topics = StartTopics(Settings with { MaxTopics = 1 });
        var probe = CreateTestProbe();
        topics.Tell(Req(1, new CreateTopicCommand("first", 1)), probe.Ref);
        await probe.ExpectResultAsync<TopicCreated>(Patience);

        topics.Tell(Req(2, new CreateTopicCommand("second", 1)), probe.Ref);
        Assert.Equal(BrokerErrorCode.TooManyTopics, (await probe.ExpectResultAsync<Failed>(Patience)).Error.Code);
        topics.Tell(Records.Produce(3, "third", 0, "m"), probe.Ref);
        var refused = await probe.ExpectResultAsync<Failed>(Patience);
        Assert.Equal(BrokerErrorCode.TooManyTopics, refused.Error.Code);
        Assert.Contains("golog.topics.max", refused.Error.Message);
        Assert.False(Directory.Exists(PartitionDir("second", 0)));
        Assert.False(Directory.Exists(PartitionDir("third", 0)));

        topics.Tell(Records.Produce(4, "first", 0, "m"), probe.Ref);
        await probe.ExpectResultAsync<Produced>(Patience);
    }

    [Fact]
    public async Task A_produce_to_partition_int_max_is_refused_and_the_topic_manager_keeps_serving()
    {
        var topics = StartTopics(Settings);
        var probe = CreateTestProbe();
        topics.Tell(Records.Produce(1, "t", 0, "m"), probe.Ref);
        await probe.ExpectResultAsync<Produced>(Patience);

        topics.Tell(Records.Produce(2, "t", int.MaxValue, "m"), probe.Ref);
        Assert.Equal(BrokerErrorCode.UnknownTopicOrPartition, (await probe.ExpectResultAsync<Failed>(Patience)).Error.Code);
        topics.Tell(Records.Produce(3, "t", 0, "m"), probe.Ref);
        Assert.Equal(1, (await probe.ExpectResultAsync<Produced>(Patience)).BaseOffset);
    }
}
