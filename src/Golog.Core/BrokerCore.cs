using Akka.Actor;
using Golog.Core.Groups;
using Golog.Storage;

namespace Golog.Core;

/// <summary>
/// The core's front: the one place doors (and, later, HTTP handlers and followers) hand commands to. Produce and
/// fetch go straight to their partition actor through the <see cref="RoutingTable"/>, read on the caller's thread;
/// commits are checked against it before the group coordinator sees them; a partition past an existing topic's end is
/// refused here; only what changes topics, or a topic the table does not have (auto-creation), goes to the topic
/// manager. The answer is a <see cref="CoreReply"/> to <c>replyTo</c> carrying <c>correlation</c>. Thread-safe.
/// </summary>
/// <remarks>
/// Akka orders messages per sender and receiver only, so a produce held up in the topic manager (which creates the
/// partition, then forwards it) can be overtaken by the same sender's next produce, sent straight to the partition
/// once the route is published; and a fetch sent straight after a create_topic could miss the topic. <see cref="Send"/>
/// therefore says when a command that creates partitions took the slow path: a sender whose requests must take
/// effect in the order it sent them sends nothing more until that one is answered.
/// </remarks>
public sealed class BrokerCore(RoutingTable routes, IActorRef topics, IActorRef groups, IActorRef producerIds)
{
    /// <summary>The brokers and partition leaders, as doors describe them to clients.</summary>
    public ClusterView Cluster => routes.Cluster;

    private long _offsetsTopicAskedAt = long.MinValue; // Environment.TickCount64 of the last request to create it

    /// <summary>Sends <paramref name="command"/>; false when it went through the topic manager and creates partitions (see remarks).</summary>
    public bool Send(long correlation, ICoreCommand command, IActorRef replyTo)
    {
        switch (command)
        {
            case ProduceCommand p: return Produce(correlation, p, replyTo);
            case FetchCommand f: ToPartition(correlation, f, f.Topic, f.Partition, replyTo); break;
            case AppendBatchCommand a when InternalTopic(a.Topic) is { } refused: replyTo.Tell(new CoreReply(correlation, refused)); break;
            case AppendBatchCommand a: ToPartition(correlation, a, a.Topic, a.Partition, replyTo); break;
            case CommitCommand c: ToGroups(correlation, c, c.Partition, replyTo); break;
            case CommittedQuery q: ToGroups(correlation, q, q.Partition, replyTo); break;
            case DescribeGroupQuery d:
                WhenOpen(routes.Topics(), () => groups.Tell(new CoreRequest(correlation, d with { HighWatermarks = routes.OpenedHighWatermarks() }), replyTo));
                break;
            case ResetOffsetsCommand r when r.Topic is { } topic && !routes.TryGet(topic, out _):
                replyTo.Tell(new CoreReply(correlation, new Failed(UnknownOrInvalid(topic, null))));
                break;
            case ResetOffsetsCommand r:
                var reset = r.Topic is { } named && routes.TryGet(named, out var one) ? [one] : routes.Topics();
                WhenOpen(reset, () => groups.Tell(new CoreRequest(correlation, r with { Bounds = routes.OpenedBounds() }), replyTo));
                break;
            case FindCoordinatorQuery f:
                EnsureOffsetsTopic();
                replyTo.Tell(new CoreReply(correlation, Names.IsValid(f.Group)
                    ? new CoordinatorFound(routes.Cluster.CoordinatorOf(f.Group))
                    : new Failed(BrokerError.InvalidName("group", f.Group))));
                break;
            case IGroupCommand or ListGroupsQuery:
                EnsureOffsetsTopic();
                groups.Tell(new CoreRequest(correlation, command), replyTo);
                break;
            case InitProducerIdCommand: producerIds.Tell(new CoreRequest(correlation, command), replyTo); break;
            default:
                topics.Tell(new CoreRequest(correlation, command), replyTo);
                return command is not (CreateTopicCommand or CreatePartitionsCommand or DeleteTopicCommand); // what is pipelined after it must see the change
        }
        return true;
    }

    /// <summary>
    /// On a cluster, the first group request (or find_coordinator) has <see cref="OffsetsTopic"/> created through the
    /// topic manager like any topic, once enough nodes are up for its copies; asked at most every 2 s until it exists.
    /// Meanwhile groups have no coordinator (not_coordinator, retriable). Kafka creates it the same way, on first use.
    /// </summary>
    private void EnsureOffsetsTopic()
    {
        var view = routes.Cluster;
        if (!view.Clustered || routes.TryGet(OffsetsTopic.Name, out _)) return;
        long now = Environment.TickCount64, asked = Interlocked.Read(ref _offsetsTopicAskedAt);
        if ((asked != long.MinValue && now - asked < 2000) || view.Brokers.Count(b => b.Status == ClusterMember.Up) < view.OffsetsReplicas) return;
        if (Interlocked.CompareExchange(ref _offsetsTopicAskedAt, now, asked) != asked) return; // another thread asked
        topics.Tell(new CoreRequest(0, new CreateTopicCommand(OffsetsTopic.Name, view.OffsetsPartitions)), ActorRefs.NoSender);
    }

    /// <summary>On a cluster only coordinators write <see cref="OffsetsTopic"/>: a client's records there would be read as commits.</summary>
    private Failed? InternalTopic(string topic) => routes.Cluster.Clustered && topic == OffsetsTopic.Name
        ? new Failed(new BrokerError(BrokerErrorCode.InvalidRequest, $"topic {OffsetsTopic.Name} is internal: only group coordinators write to it (commit offsets instead)"))
        : null;

    private bool Produce(long correlation, ProduceCommand cmd, IActorRef replyTo)
    {
        if (InternalTopic(cmd.Topic) is { } refused)
        {
            replyTo.Tell(new CoreReply(correlation, refused));
            return true;
        }
        if (routes.TryGet(cmd.Topic, out var route) && cmd.Partition is not < 0)
        {
            if (cmd.Partition >= route.Partitions.Count) // an existing topic never grows implicitly
            {
                replyTo.Tell(new CoreReply(correlation, new Failed(BrokerError.NoSuchPartition(cmd.Topic, cmd.Partition.Value, route.Partitions.Count))));
                return true;
            }
            int partition = cmd.Partition ?? route.ChoosePartition(cmd.Records.Key);
            if (routes.Cluster.NotLeaderHere(new TopicPartition(cmd.Topic, partition)) is { } notLeader)
            {
                replyTo.Tell(new CoreReply(correlation, new Failed(notLeader)));
                return true;
            }
            var routed = cmd.Partition is null ? cmd with { Partition = partition } : cmd;
            route.Partitions[partition].Actor.Tell(new CoreRequest(correlation, routed), replyTo);
            return true;
        }
        topics.Tell(new CoreRequest(correlation, cmd), replyTo); // auto-create, or refuse with the reason
        return false;
    }

    /// <summary>A produce or fetch of an existing partition goes to its actor if this node leads it, else it is refused naming the leader.</summary>
    private void ToPartition(long correlation, ICoreCommand cmd, string topic, int partition, IActorRef replyTo)
    {
        if (routes.TryGetPartition(topic, partition, out var route))
        {
            if (routes.Cluster.NotLeaderHere(new TopicPartition(topic, partition)) is { } notLeader)
                replyTo.Tell(new CoreReply(correlation, new Failed(notLeader)));
            else route.Actor.Tell(new CoreRequest(correlation, cmd), replyTo);
        }
        else replyTo.Tell(new CoreReply(correlation, new Failed(UnknownOrInvalid(topic, partition))));
    }

    private void ToGroups(long correlation, IGroupCommand cmd, TopicPartition tp, IActorRef replyTo)
    {
        if (routes.TryGetPartition(tp.Topic, tp.Partition, out _)) groups.Tell(new CoreRequest(correlation, cmd), replyTo);
        else replyTo.Tell(new CoreReply(correlation, new Failed(UnknownOrInvalid(tp.Topic, tp.Partition))));
    }

    /// <summary>Runs <paramref name="send"/> once every partition of <paramref name="topics"/> is open (at once if all are).</summary>
    private static void WhenOpen(IReadOnlyList<TopicRoute> topics, Action send)
    {
        var open = TopicRoute.WhenOpen(topics);
        if (open.IsCompleted) send();
        else open.ContinueWith(_ => send(), TaskContinuationOptions.ExecuteSynchronously);
    }

    private BrokerError UnknownOrInvalid(string topic, int? partition) =>
        !Names.IsValid(topic) ? BrokerError.InvalidName("topic", topic)
        : routes.TryGet(topic, out var route) && partition >= 0 ? BrokerError.NoSuchPartition(topic, partition.Value, route.Partitions.Count)
        : BrokerError.UnknownPartition(topic, partition);
}
