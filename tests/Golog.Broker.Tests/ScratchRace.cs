using Akka.Actor;
using Golog.Protocol;
using Xunit.Abstractions;
namespace Golog.Broker.Tests;
public sealed class ScratchRace(ITestOutputHelper output) : BrokerSpec(output)
{
    [Fact]
    public async Task Race()
    {
        var groups = Sys.ActorOf(GroupManager.Props(Settings));
        var topics = Sys.ActorOf(TopicManager.Props(Settings, NewSyncWorker(), groups, false));
        var probe = CreateTestProbe();
        topics.Tell(new CreateTopicCommand(1, "many", 100), probe.Ref);
        await probe.ExpectMsgAsync<TopicCreated>();
        for (int p = 0; p < 100; p++) topics.Tell(Records.Produce(p, "many", p, "x"), probe.Ref);
        for (int p = 0; p < 100; p++) await probe.ExpectMsgAsync<Produced>();
        await StopAndWaitAsync(topics);
        var again = Sys.ActorOf(TopicManager.Props(Settings, NewSyncWorker(), groups, false));
        again.Tell(new MetadataQuery(1, null), probe.Ref);
        var md = await probe.ExpectMsgAsync<MetadataResult>();
        output.WriteLine("zero HW partitions right after restart: " + md.Topics[0].Partitions.Count(p => p.HighWatermark == 0));
        Assert.All(md.Topics[0].Partitions, p => Assert.Equal(1, p.HighWatermark));
    }
}
