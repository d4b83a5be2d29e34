using Golog.Core;
using Akka.Actor;
using Golog.Core.Groups;
using Akka.Hosting;
using Golog.Protocol;
using Golog.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Xunit.Abstractions;

namespace Golog.Broker.Tests;

/// <summary>Committed offsets, through the <see cref="GroupManager"/> that owns one <see cref="GroupActor"/> per group.</summary>
public sealed class OffsetActorSpecs(ITestOutputHelper output) : BrokerSpec(output)
{
    private static readonly TopicPartition Orders0 = new("orders", 0);
    private static readonly TopicPartition Orders1 = new("orders", 1);

    private IActorRef StartGroups() => Sys.ActorOf(GroupManager.Props(Settings));

    private async Task<T> AskAsync<T>(IActorRef target, object request)
    {
        var probe = CreateTestProbe();
        target.Tell(request, probe.Ref);
        return await probe.ExpectMsgAsync<T>(Patience);
    }

    private async Task CommitAsync(IActorRef groups, string group, TopicPartition tp, long offset) =>
        Assert.Equal(new CommitDone(1), await AskAsync<CommitDone>(groups, new CommitCommand(1, group, tp, offset)));

    private async Task<long?> CommittedAsync(IActorRef groups, string group, TopicPartition tp) =>
        (await AskAsync<CommittedOffset>(groups, new CommittedQuery(2, group, tp))).Offset;

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
        groups.Tell(new CommitCommand(1, "billing", Orders0, 5), probe.Ref);
        groups.Tell(new CommittedQuery(2, "billing", Orders0), probe.Ref); // no waiting for the CommitDone
        await probe.ExpectMsgAsync(new CommitDone(1), Patience);
        await probe.ExpectMsgAsync(new CommittedOffset(2, 5), Patience);
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
        var commit = await AskAsync<RequestFailed>(groups, new CommitCommand(1, group, Orders0, 1));
        Assert.Equal(ErrorCode.InvalidGroupName, commit.Error.Code);
        var query = await AskAsync<RequestFailed>(groups, new CommittedQuery(2, group, Orders0));
        Assert.Equal(ErrorCode.InvalidGroupName, query.Error.Code);
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
    public async Task Commits_through_the_topic_manager_need_an_existing_topic_partition()
    {
        var groups = StartGroups();
        var topics = Sys.ActorOf(TopicManager.Props(Settings, NewSyncWorker(), groups, cleanStart: false));
        var unknown = await AskAsync<RequestFailed>(topics, new CommitCommand(1, "billing", Orders0, 1));
        Assert.Equal(ErrorCode.UnknownTopicOrPartition, unknown.Error.Code);

        await AskAsync<TopicCreated>(topics, new CreateTopicCommand(2, "orders", 1));
        Assert.Equal(new CommitDone(3), await AskAsync<CommitDone>(topics, new CommitCommand(3, "billing", Orders0, 1)));
        Assert.Equal(ErrorCode.UnknownTopicOrPartition,
            (await AskAsync<RequestFailed>(topics, new CommitCommand(4, "billing", Orders1, 1))).Error.Code);
        Assert.Equal(new CommittedOffset(5, 1), await AskAsync<CommittedOffset>(topics, new CommittedQuery(5, "billing", Orders0)));
    }

    [Fact]
    public async Task Committed_offsets_survive_a_full_broker_restart()
    {
        await using (var broker = await RunningBroker.StartAsync(Root))
        {
            Assert.IsType<Produced>(await broker.Topics.Ask<object>(Records.Produce(1, "orders", 1, "m"), Patience)); // creates orders-0 and orders-1
            Assert.IsType<CommitDone>(await broker.Topics.Ask<object>(new CommitCommand(2, "billing", Orders0, 17), Patience));
            Assert.IsType<CommitDone>(await broker.Topics.Ask<object>(new CommitCommand(3, "billing", Orders1, 1), Patience));
        }
        Assert.True(File.Exists(Path.Combine(Root, StorageLayout.CleanShutdownFile)), "the broker stopped cleanly");

        await using (var broker = await RunningBroker.StartAsync(Root))
        {
            Assert.Equal(new CommittedOffset(4, 17), await broker.Topics.Ask<object>(new CommittedQuery(4, "billing", Orders0), Patience));
            Assert.Equal(new CommittedOffset(5, 1), await broker.Topics.Ask<object>(new CommittedQuery(5, "billing", Orders1), Patience));
            Assert.Equal(new CommittedOffset(6, null), await broker.Topics.Ask<object>(new CommittedQuery(6, "audit", Orders0), Patience));
        }
    }

    /// <summary>The real broker host (its own actor system, TCP on a free port) on a given storage directory.</summary>
    private sealed class RunningBroker(IHost host, IActorRef topics) : IAsyncDisposable
    {
        public IActorRef Topics { get; } = topics;

        public static async Task<RunningBroker> StartAsync(string storage)
        {
            var host = BrokerHost.Build(BrokerHost.LoadConfig(["--port", "0", "--storage", storage], _ => null));
            await host.StartAsync();
            await host.Services.GetRequiredService<BrokerEndpoint>().WhenBound.WaitAsync(Patience);
            var topics = await host.Services.GetRequiredService<ActorRegistry>().GetAsync<TopicManager>();
            return new RunningBroker(host, topics);
        }

        public async ValueTask DisposeAsync()
        {
            await host.StopAsync();
            host.Dispose();
        }
    }
}
