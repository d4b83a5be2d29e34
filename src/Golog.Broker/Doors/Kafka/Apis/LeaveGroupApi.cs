using Golog.Core;
using Golog.Core.Groups;

namespace Golog.Broker.Doors.Kafka.Apis;

/// <summary>LeaveGroup (13) v0: the member goes at once (clients send it on close), so the others rebalance without waiting for its session to end.</summary>
public sealed class LeaveGroupApi : IKafkaApi
{
    public short Key => 13;
    public string Name => "LeaveGroup";
    public short MinVersion => 0;
    public short MaxVersion => 0;

    public DecodedRequest<KafkaRequestContext> Decode(KafkaRequestHeader header, ref KafkaReader body)
    {
        string group = body.String("group_id");
        string memberId = body.String("member_id");
        return new(new KafkaRequestContext(header), new LeaveGroupCommand(group, memberId));
    }

    public void Encode(KafkaWriter w, in KafkaRequestContext context, ICoreResult result) => w.Int16(KafkaErrors.Of(result));
}
