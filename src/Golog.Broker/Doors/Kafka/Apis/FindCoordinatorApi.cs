using Golog.Core;
using Golog.Core.Groups;

namespace Golog.Broker.Doors.Kafka.Apis;

/// <summary>
/// FindCoordinator (10) v0: the node coordinating the group, as the core finds it (one node: this one; a cluster:
/// the leader of the group's offsets partition), with its Kafka door's address. While no node leads that partition
/// (or the offsets topic is still being created) COORDINATOR_NOT_AVAILABLE, which Kafka clients retry; a group id
/// Golog cannot store is INVALID_GROUP_ID, so the client learns it before joining.
/// </summary>
public sealed class FindCoordinatorApi(KafkaCluster cluster) : IKafkaApi
{
    private const short CoordinatorNotAvailable = 15;

    public short Key => 10;
    public string Name => "FindCoordinator";
    public short MinVersion => 0;
    public short MaxVersion => 0;

    public DecodedRequest<KafkaRequestContext> Decode(KafkaRequestHeader header, ref KafkaReader body) =>
        new(new KafkaRequestContext(header), new FindCoordinatorQuery(body.String("key")));

    public void Encode(KafkaWriter w, in KafkaRequestContext context, ICoreResult result)
    {
        if (result is CoordinatorFound { Coordinator: { } coordinator })
        {
            var node = cluster.NodeOf(coordinator);
            w.Int16(KafkaErrors.None);
            w.Int32(node.NodeId);
            w.String(node.Host);
            w.Int32(node.Port);
            return;
        }
        w.Int16(result is Failed f ? KafkaErrors.Code(f.Error) : CoordinatorNotAvailable);
        w.Int32(-1);
        w.String("");
        w.Int32(-1);
    }
}
