using Golog.Core;
using Xunit.Abstractions;

namespace Golog.Broker.Tests;

/// <summary>
/// Producer ids as the nodes of a cluster hand them out: each node from its own range, so producers that asked
/// different nodes never share an id (a partition would take one's batches for the other's), and a node restarted on
/// its storage goes on above what it handed out before.
/// </summary>
public sealed class ProducerIdSpecs(ITestOutputHelper output) : BrokerSpec(output)
{
    [Fact]
    public async Task Nodes_hand_out_ids_from_their_own_ranges_and_a_restarted_node_never_repeats_one()
    {
        Directory.CreateDirectory(Path.Combine(Root, "n1"));
        Directory.CreateDirectory(Path.Combine(Root, "n2"));
        var node1 = Sys.ActorOf(ProducerIdActor.Props(Path.Combine(Root, "n1"), nodeId: 1));
        var node2 = Sys.ActorOf(ProducerIdActor.Props(Path.Combine(Root, "n2"), nodeId: 2));

        var first = new[] { await IdFromAsync(node1), await IdFromAsync(node1), await IdFromAsync(node2), await IdFromAsync(node2) };
        Assert.Equal(first.Length, first.Distinct().Count());
        Assert.All(first[..2], id => Assert.InRange(id, ProducerIdActor.IdsPerNode, 2 * ProducerIdActor.IdsPerNode - 1));
        Assert.All(first[2..], id => Assert.InRange(id, 2 * ProducerIdActor.IdsPerNode, 3 * ProducerIdActor.IdsPerNode - 1));

        Sys.Stop(node2);
        var restarted = Sys.ActorOf(ProducerIdActor.Props(Path.Combine(Root, "n2"), nodeId: 2));
        long again = await IdFromAsync(restarted);
        Assert.True(again > first[3], $"node 2 handed out {again} after a restart, having handed out {first[3]}");
        Assert.InRange(again, 2 * ProducerIdActor.IdsPerNode, 3 * ProducerIdActor.IdsPerNode - 1);
    }

    [Fact]
    public async Task One_node_counts_its_ids_from_zero()
    {
        var single = Sys.ActorOf(ProducerIdActor.Props(Root, nodeId: 0));
        long first = await IdFromAsync(single), second = await IdFromAsync(single);
        Assert.Equal((0L, 1L), (first, second));
    }

    private async Task<long> IdFromAsync(Akka.Actor.IActorRef producerIds)
    {
        producerIds.Tell(new CoreRequest(1, InitProducerIdCommand.Instance), TestActor);
        var reply = await ExpectMsgAsync<CoreReply>(Patience);
        return Assert.IsType<ProducerIdAssigned>(reply.Result).ProducerId;
    }
}
