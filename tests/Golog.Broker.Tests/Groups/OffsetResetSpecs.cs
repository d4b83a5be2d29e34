using Akka.Actor;
using Golog.Core;
using Golog.Core.Groups;
using Golog.Storage;
using Xunit.Abstractions;

using static Golog.Broker.Tests.CoreMessages;

namespace Golog.Broker.Tests.Groups;

/// <summary>reset_offsets through the core: where offsets go, dry runs, and the rule that the group must have no members.</summary>
public sealed class OffsetResetSpecs(ITestOutputHelper output) : BrokerSpec(output)
{
    private static readonly TopicPartition Orders0 = new("orders", 0);
    private static readonly TopicPartition Orders1 = new("orders", 1);

    private async Task<T> AskAsync<T>(IActorRef core, CoreRequest request) where T : ICoreResult
    {
        var probe = CreateTestProbe();
        core.Tell(request, probe.Ref);
        return await probe.ExpectResultAsync<T>(Patience);
    }

    private Task<OffsetsReset> ResetAsync(IActorRef core, string? topic, OffsetReset to, bool dryRun = false) =>
        AskAsync<OffsetsReset>(core, Req(1, new ResetOffsetsCommand("billing", topic, to, dryRun)));

    private async Task<long?> CommittedAsync(IActorRef core, TopicPartition tp) =>
        (await AskAsync<CommittedOffset>(core, Req(2, new CommittedQuery("billing", tp)))).Offset;

    /// <summary>orders: partition 0 holds 5 records, partition 1 none; billing committed 2 on partition 0.</summary>
    private async Task<IActorRef> StartWithOrdersAsync()
    {
        var core = Sys.ActorOf(CoreGateway.Props(Settings, NewSyncWorker()));
        await AskAsync<TopicCreated>(core, Req(1, new CreateTopicCommand("orders", 2)));
        await AskAsync<Produced>(core, Records.Produce(2, "orders", 0, "a", "b", "c", "d", "e"));
        await AskAsync<OffsetCommitted>(core, Req(3, new CommitCommand("billing", Orders0, 2)));
        return core;
    }

    [Fact]
    public async Task Reset_moves_the_committed_offsets_to_earliest_latest_or_an_offset_kept_within_the_log()
    {
        var core = await StartWithOrdersAsync();

        var latest = await ResetAsync(core, "orders", new OffsetReset(OffsetResetKind.Latest));
        Assert.Equal([new ResetPartition(Orders0, 2, 5), new ResetPartition(Orders1, null, 0)], latest.Partitions);
        Assert.Equal((5L, 0L), ((await CommittedAsync(core, Orders0))!.Value, (await CommittedAsync(core, Orders1))!.Value));

        var earliest = await ResetAsync(core, null, new OffsetReset(OffsetResetKind.Earliest)); // every partition it committed
        Assert.Equal([new ResetPartition(Orders0, 5, 0), new ResetPartition(Orders1, 0, 0)], earliest.Partitions);
        Assert.Equal(0, await CommittedAsync(core, Orders0));

        var past = await ResetAsync(core, "orders", new OffsetReset(OffsetResetKind.Offset, 99));
        Assert.Equal([5L, 0L], past.Partitions.Select(p => p.Offset)); // no further than each high watermark
        var three = await ResetAsync(core, "orders", new OffsetReset(OffsetResetKind.Offset, 3));
        Assert.Equal(3, three.Partitions[0].Offset);
        Assert.Equal(3, await CommittedAsync(core, Orders0));
    }

    [Fact]
    public async Task A_dry_run_reports_the_reset_and_changes_nothing()
    {
        var core = await StartWithOrdersAsync();
        var plan = await ResetAsync(core, "orders", new OffsetReset(OffsetResetKind.Earliest), dryRun: true);
        Assert.True(plan.DryRun);
        Assert.Equal(new ResetPartition(Orders0, 2, 0), plan.Partitions[0]);
        Assert.Equal(2, await CommittedAsync(core, Orders0));
        Assert.Null(await CommittedAsync(core, Orders1));
    }

    [Fact]
    public async Task A_group_with_members_is_refused_and_keeps_its_offsets()
    {
        var core = await StartWithOrdersAsync();
        await AskAsync<GroupJoined>(core, Req(4, new JoinGroupCommand("billing", null, "c1", ["orders"], null)));

        var refused = await AskAsync<Failed>(core, Req(5, new ResetOffsetsCommand("billing", "orders", new OffsetReset(OffsetResetKind.Earliest), false)));
        Assert.Equal(BrokerErrorCode.GroupNotEmpty, refused.Error.Code);
        Assert.Contains("1 active members", refused.Error.Message);
        Assert.Equal(2, await CommittedAsync(core, Orders0));
    }

    [Fact]
    public async Task Unknown_topics_and_groups_are_refused_without_creating_anything()
    {
        var core = await StartWithOrdersAsync();
        var noTopic = await AskAsync<Failed>(core, Req(1, new ResetOffsetsCommand("billing", "absent", new OffsetReset(OffsetResetKind.Latest), false)));
        Assert.Equal(BrokerErrorCode.UnknownTopicOrPartition, noTopic.Error.Code);
        var noGroup = await AskAsync<Failed>(core, Req(2, new ResetOffsetsCommand("nobody", null, new OffsetReset(OffsetResetKind.Latest), false)));
        Assert.Equal(BrokerErrorCode.UnknownGroup, noGroup.Error.Code);
        Assert.False(File.Exists(StorageLayout.GroupOffsetsFile(Root, "nobody")));
    }
}
