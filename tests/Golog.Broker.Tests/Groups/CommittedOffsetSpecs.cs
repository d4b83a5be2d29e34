using Golog.Core;
using Akka.Actor;
using Golog.Core.Groups;
using Akka.Hosting;
using Golog.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Xunit.Abstractions;

using static Golog.Broker.Tests.CoreMessages;

namespace Golog.Broker.Tests.Groups;

/// <summary>Committed offsets, through the <see cref="GroupManager"/> that owns one <see cref="GroupActor"/> per group.</summary>
public sealed class CommittedOffsetSpecs(ITestOutputHelper output) : BrokerSpec(output)
{
    private static readonly TopicPartition Orders0 = new("orders", 0);
    private static readonly TopicPartition Orders1 = new("orders", 1);

    private IActorRef StartGroups() => Sys.ActorOf(GroupManager.Props(Settings, TimeProvider.System));

    private async Task<T> AskAsync<T>(IActorRef target, CoreRequest request) where T : ICoreResult
    {
        var probe = CreateTestProbe();
        target.Tell(request, probe.Ref);
        return await probe.ExpectResultAsync<T>(Patience);
    }

    private async Task CommitAsync(IActorRef groups, string group, TopicPartition tp, long offset) =>
        Assert.Equal(OffsetCommitted.Instance, await AskAsync<OffsetCommitted>(groups, Req(1, new CommitCommand(group, tp, offset))));

    private async Task<long?> CommittedAsync(IActorRef groups, string group, TopicPartition tp) =>
        (await AskAsync<CommittedOffset>(groups, Req(2, new CommittedQuery(group, tp)))).Offset;

    [Fact]
    public async Task A_commit_is_returned_by_the_next_committed_query()
    {
        var groups = StartGroups();
        await CommitAsync(groups, "billing", Orders0, 42);
        Assert.Equal(42, await CommittedAsync(groups, "billing", Orders0));
        await CommitAsync(groups, "billing", Orders0, 43);
        Assert.Equal(43, await CommittedAsync(groups, "billing", Orders0)); // the latest commit wins
    }

    [Fact]
    public async Task A_commit_followed_at_once_by_a_query_is_visible_to_it()
    {
        var groups = StartGroups();
        var probe = CreateTestProbe();
        groups.Tell(Req(1, new CommitCommand("billing", Orders0, 5)), probe.Ref);
        groups.Tell(Req(2, new CommittedQuery("billing", Orders0)), probe.Ref); // no waiting for the OffsetCommitted
        Assert.Equal(new CoreReply(1, OffsetCommitted.Instance), await probe.ExpectReplyAsync(Patience));
        Assert.Equal(new CoreReply(2, new CommittedOffset(5)), await probe.ExpectReplyAsync(Patience));
    }

    [Fact]
    public async Task A_group_partition_that_never_committed_has_no_committed_offset()
    {
        var groups = StartGroups();
        Assert.Null(await CommittedAsync(groups, "fresh", Orders0));
        await CommitAsync(groups, "fresh", Orders0, 7);
        Assert.Null(await CommittedAsync(groups, "fresh", Orders1));
        Assert.Null(await CommittedAsync(groups, "fresh", new TopicPartition("orders-0", 0))); // not confused with "orders", 0
    }

    [Fact]
    public async Task Two_groups_keep_independent_offsets_for_the_same_partition()
    {
        var groups = StartGroups();
        await CommitAsync(groups, "group-a", Orders0, 10);
        await CommitAsync(groups, "group-b", Orders0, 99);
        await CommitAsync(groups, "group-a", Orders1, 3);
        Assert.Equal(10, await CommittedAsync(groups, "group-a", Orders0));
        Assert.Equal(99, await CommittedAsync(groups, "group-b", Orders0));
        Assert.Equal(3, await CommittedAsync(groups, "group-a", Orders1));
        Assert.Null(await CommittedAsync(groups, "group-b", Orders1));
    }

    [Theory]
    [InlineData("..")]
    [InlineData("a/b")]
    [InlineData("../outside")]
    [InlineData("")]
    public async Task An_invalid_group_name_is_rejected_without_creating_a_file(string group)
    {
        var groups = StartGroups();
        var commit = await AskAsync<Failed>(groups, Req(1, new CommitCommand(group, Orders0, 1)));
        Assert.Equal(BrokerErrorCode.InvalidGroupName, commit.Error.Code);
        var query = await AskAsync<Failed>(groups, Req(2, new CommittedQuery(group, Orders0)));
        Assert.Equal(BrokerErrorCode.InvalidGroupName, query.Error.Code);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Root));
    }

    [Fact]
    public async Task Committed_offsets_survive_a_restart_of_the_group_manager()
    {
        var groups = StartGroups();
        await CommitAsync(groups, "billing", Orders0, 42);
        await CommitAsync(groups, "billing", Orders1, 8);
        await CommitAsync(groups, "audit", Orders0, 1);
        await StopAndWaitAsync(groups); // no CloseForShutdown: as after a crash of the actors

        var restarted = StartGroups();
        Assert.Equal(42, await CommittedAsync(restarted, "billing", Orders0));
        Assert.Equal(8, await CommittedAsync(restarted, "billing", Orders1));
        Assert.Equal(1, await CommittedAsync(restarted, "audit", Orders0));
    }

    [Fact]
    public async Task Commits_through_the_core_need_an_existing_topic_partition()
    {
        var topics = Sys.ActorOf(CoreGateway.Props(Settings, NewSyncWorker(), StartGroups()));
        var unknown = await AskAsync<Failed>(topics, Req(1, new CommitCommand("billing", Orders0, 1)));
        Assert.Equal(BrokerErrorCode.UnknownTopicOrPartition, unknown.Error.Code);

        await AskAsync<TopicCreated>(topics, Req(2, new CreateTopicCommand("orders", 1)));
        Assert.Equal(OffsetCommitted.Instance, await AskAsync<OffsetCommitted>(topics, Req(3, new CommitCommand("billing", Orders0, 1))));
        Assert.Equal(BrokerErrorCode.UnknownTopicOrPartition,
            (await AskAsync<Failed>(topics, Req(4, new CommitCommand("billing", Orders1, 1)))).Error.Code);
        Assert.Equal(new CommittedOffset(1), await AskAsync<CommittedOffset>(topics, Req(5, new CommittedQuery("billing", Orders0))));
    }

    [Fact]
    public async Task Committed_offsets_survive_a_full_broker_restart()
    {
        await using (var broker = await RunningBroker.StartAsync(Root))
        {
            Assert.IsType<Produced>((await broker.Core.Ask<CoreReply>(Records.Produce(1, "orders", 1, "m"), Patience)).Result); // creates orders-0 and orders-1
            Assert.IsType<OffsetCommitted>((await broker.Core.Ask<CoreReply>(Req(2, new CommitCommand("billing", Orders0, 17)), Patience)).Result);
            Assert.IsType<OffsetCommitted>((await broker.Core.Ask<CoreReply>(Req(3, new CommitCommand("billing", Orders1, 1)), Patience)).Result);
        }
        Assert.True(File.Exists(Path.Combine(Root, StorageLayout.CleanShutdownFile)), "the broker stopped cleanly");

        await using (var broker = await RunningBroker.StartAsync(Root))
        {
            Assert.Equal(new CommittedOffset(17), (await broker.Core.Ask<CoreReply>(Req(4, new CommittedQuery("billing", Orders0)), Patience)).Result);
            Assert.Equal(new CommittedOffset(1), (await broker.Core.Ask<CoreReply>(Req(5, new CommittedQuery("billing", Orders1)), Patience)).Result);
            Assert.Equal(new CommittedOffset(null), (await broker.Core.Ask<CoreReply>(Req(6, new CommittedQuery("audit", Orders0)), Patience)).Result);
        }
    }

    /// <summary>The real broker host (its own actor system, TCP on a free port) on a given storage directory.</summary>
    private sealed class RunningBroker(IHost host, IActorRef core) : IAsyncDisposable
    {
        /// <summary>The host's core, as its doors reach it.</summary>
        public IActorRef Core { get; } = core;

        public static async Task<RunningBroker> StartAsync(string storage)
        {
            var host = BrokerHost.Build(BrokerHost.LoadConfig(["--port", "0", "--kafka-port", "0", "--http-port", "0", "--storage", storage], _ => null));
            await host.StartAsync();
            await host.Services.GetRequiredService<BrokerEndpoint>().WhenBound.WaitAsync(Patience);
            var core = await host.Services.GetRequiredService<CoreHandle>().WhenStarted.WaitAsync(Patience);
            var gateway = host.Services.GetRequiredService<ActorSystem>().ActorOf(CoreGateway.Over(core));
            return new RunningBroker(host, gateway);
        }

        public async ValueTask DisposeAsync()
        {
            await host.StopAsync();
            host.Dispose();
        }
    }
}
