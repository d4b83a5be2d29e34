using Golog.Core;
using Golog.Storage;

namespace Golog.Broker.Doors.Kafka.Apis;

/// <summary>
/// FindCoordinator (10) v0: every group's coordinator is this node (one node; replication will pick per group).
/// Answered by the door; a group id Golog cannot store is INVALID_GROUP_ID, so the client learns it before joining.
/// </summary>
public sealed class FindCoordinatorApi(KafkaCluster cluster) : IKafkaApi
{
    public short Key => 10;
    public string Name => "FindCoordinator";
    public short MinVersion => 0;
    public short MaxVersion => 0;

    public DecodedRequest<KafkaRequestContext> Decode(KafkaRequestHeader header, ref KafkaReader body)
    {
        string group = body.String("key");
        return new(new KafkaRequestContext(header, group), null) { Answer = AnsweredByDoor.Instance };
    }

    public void Encode(KafkaWriter w, in KafkaRequestContext context, ICoreResult result)
    {
        var group = (string)context.State!;
        if (!Names.IsValid(group))
        {
            w.Int16(BrokerErrorCode.InvalidGroupName.Wire().Kafka);
            w.Int32(-1);
            w.String("");
            w.Int32(-1);
            return;
        }
        w.Int16(KafkaErrors.None);
        w.Int32(cluster.Self.NodeId);
        w.String(cluster.Self.Host);
        w.Int32(cluster.Self.Port);
    }
}
