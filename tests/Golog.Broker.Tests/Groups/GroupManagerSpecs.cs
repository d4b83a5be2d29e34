using Golog.Core;
using Akka.Actor;
using Akka.TestKit;
using Golog.Core.Groups;
using Golog.Storage;
using Xunit.Abstractions;

using static Golog.Broker.Tests.CoreMessages;

namespace Golog.Broker.Tests.Groups;

/// <summary>What the <see cref="GroupManager"/> does itself: which requests may bring a group into being, and list_groups.</summary>
public sealed class GroupManagerSpecs(ITestOutputHelper output) : BrokerSpec(output)
{
    private IActorRef StartGroups()
    {
        var groups = Sys.ActorOf(GroupManager.Props(Settings, TimeProvider.System));
        groups.Tell(new TopicPartitionsChanged("t", 4));
        return groups;
    }

    private static async Task JoinAloneAsync(IActorRef groups, TestProbe member)
    {
        groups.Tell(Req(1, new JoinGroupCommand("g", null, "test", ["t"], null)), member.Ref);
        await member.ExpectResultAsync<GroupJoined>(Patience);
    }

    [Fact]
    public async Task Requests_for_groups_that_do_not_exist_create_nothing_and_list_shows_manual_and_coordinated_groups()
    {
        var groups = StartGroups();
        var probe = CreateTestProbe();
        groups.Tell(Req(50, new DescribeGroupQuery("nobody")), probe.Ref);
        Assert.Equal(BrokerErrorCode.UnknownGroup, (await probe.ExpectResultAsync<Failed>(Patience)).Error.Code);
        groups.Tell(Req(51, new HeartbeatCommand("nobody", new MemberGeneration("m", 1))), probe.Ref);
        Assert.Equal(BrokerErrorCode.UnknownMemberId, (await probe.ExpectResultAsync<Failed>(Patience)).Error.Code);

        groups.Tell(Req(52, new CommitCommand("manual", new TopicPartition("t", 0), 3)), probe.Ref);
        await probe.ExpectResultAsync<OffsetCommitted>(Patience);
        await JoinAloneAsync(groups, probe);
        groups.Tell(Req(53, ListGroupsQuery.Instance), probe.Ref);
        var listed = (await probe.ExpectResultAsync<GroupsListed>(Patience)).Groups;
        Assert.Equal([new GroupListing("g", GroupState.Stable, 1), new GroupListing("manual", GroupState.Empty, 0)], listed);
        Assert.DoesNotContain(listed, g => g.Group == "nobody");
    }

    [Fact]
    public async Task Groups_with_only_stored_offsets_are_listed_and_described_after_a_restart()
    {
        var first = StartGroups();
        var probe = CreateTestProbe();
        first.Tell(Req(60, new CommitCommand("manual", new TopicPartition("t", 1), 8)), probe.Ref);
        await probe.ExpectResultAsync<OffsetCommitted>(Patience);
        await StopAndWaitAsync(first);

        var groups = StartGroups();
        groups.Tell(Req(61, ListGroupsQuery.Instance), probe.Ref);
        Assert.Equal([new GroupListing("manual", GroupState.Empty, 0)], (await probe.ExpectResultAsync<GroupsListed>(Patience)).Groups);
        groups.Tell(Req(62, new DescribeGroupQuery("manual", new Dictionary<TopicPartition, long> { [new("t", 1)] = 10 })), probe.Ref);
        var row = Assert.Single((await probe.ExpectResultAsync<GroupDescribed>(Patience)).Description.Offsets);
        Assert.Equal((8L, 10L, 2L), (row.Committed, row.HighWatermark, row.Lag));
    }
}
