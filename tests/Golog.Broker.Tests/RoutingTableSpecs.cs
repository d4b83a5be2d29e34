using Akka.Actor;
using Golog.Core;
using Golog.Core.Groups;
using Golog.Storage;
using Xunit.Abstractions;
using static Golog.Broker.Tests.CoreMessages;

namespace Golog.Broker.Tests;

/// <summary>
/// The routing table that doors read on their own threads while the topic manager creates and grows topics: a reader
/// never sees a topic shrink or a partition without its actor, and what the manager has answered is always routable.
/// </summary>
public sealed class RoutingTableSpecs(ITestOutputHelper output) : BrokerSpec(output)
{
    [Fact]
    public async Task Readers_on_other_threads_see_topics_only_grow_while_they_are_created_and_grown_concurrently()
    {
        var routes = new RoutingTable();
        var topics = Sys.ActorOf(TopicManager.Props(Settings, NewSyncWorker(), Sys.ActorOf(GroupManager.Props(Settings, TimeProvider.System)), routes, PreviousShutdown.Unclean));
        await routes.Loaded.WaitAsync(Patience);
        const int Topics = 20, Growth = 8;
        using var stop = new CancellationTokenSource();
        var violations = new List<string>();
        long lookups = 0;
        using var running = new CountdownEvent(2); // each reader signals after its first pass over the topics
        var readers = Enumerable.Range(0, 2).Select(reader => Task.Run(() =>
        {
            var seen = new Dictionary<string, int>();
            for (bool first = true; !stop.IsCancellationRequested; first = false)
            {
                for (int t = 0; t < Topics; t++)
                {
                    string name = $"t{t}";
                    Interlocked.Increment(ref lookups);
                    if (!routes.TryGet(name, out var route)) continue;
                    int count = route.Partitions.Count;
                    if (count < seen.GetValueOrDefault(name)) lock (violations) violations.Add($"{name} shrank from {seen[name]} to {count}");
                    if (route.Partitions.Any(p => p.Actor is null || p.Status is null)) lock (violations) violations.Add($"{name} has a partition without an actor");
                    if (!routes.TryGetPartition(name, count - 1, out _)) lock (violations) violations.Add($"{name}-{count - 1} listed but not routable");
                    seen[name] = count;
                }
                if (first) running.Signal();
            }
        })).ToArray();
        Assert.True(running.Wait(Patience), "the readers did not start"); // so they read while the topics change

        var probe = CreateTestProbe();
        long id = 0;
        for (int t = 0; t < Topics; t++)
        {
            topics.Tell(Req(id++, new CreateTopicCommand($"t{t}", 1)), probe.Ref);
            for (int p = 2; p <= Growth; p++) topics.Tell(Req(id++, new CreatePartitionsCommand($"t{t}", p)), probe.Ref); // one partition at a time
        }
        for (long i = 0; i < id; i++)
        {
            var reply = await probe.ExpectReplyAsync(Patience);
            Assert.True(reply.Result is TopicCreated or PartitionsCreated, $"request {reply.Correlation}: {reply.Result}");
            if (reply.Result is PartitionsCreated grown) // answered, so routable from any thread now
                Assert.True(routes.TryGetPartition(grown.Topic, grown.Partitions - 1, out _));
        }
        stop.Cancel();
        await Task.WhenAll(readers);

        Assert.Empty(violations);
        Assert.True(Interlocked.Read(ref lookups) > Topics, "the readers ran while the topics changed");
        for (int t = 0; t < Topics; t++)
        {
            Assert.True(routes.TryGet($"t{t}", out var route));
            Assert.Equal(Growth, route.Partitions.Count);
        }
        Assert.Equal(Topics, routes.TopicCount);
    }

    [Fact]
    public void Round_robin_spreads_unkeyed_produces_evenly_and_a_key_always_picks_the_same_partition()
    {
        var route = new TopicRoute("t", Enumerable.Range(0, 4).Select(_ => new PartitionRoute(ActorRefs.Nobody, new PartitionStatus())).ToList());
        var counts = new int[4];
        for (int i = 0; i < 400; i++) counts[route.ChoosePartition(null)]++;
        Assert.All(counts, c => Assert.Equal(100, c));
        var key = (ReadOnlyMemory<byte>)"customer-7"u8.ToArray();
        Assert.Equal(KeyPartitioner.Partition(key.Span, 4), route.ChoosePartition(key));
        Assert.Equal(route.ChoosePartition(key), route.ChoosePartition(key));
    }
}
