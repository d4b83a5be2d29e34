using Golog.Core;
using Golog.Core.Groups;

namespace Golog.Broker.Doors.Kafka.Apis;

/// <summary>Heartbeat (12) v0: keeps the member's session; REBALANCE_IN_PROGRESS tells it to rejoin, ILLEGAL_GENERATION that it missed one.</summary>
public sealed class HeartbeatApi : IKafkaApi
{
    public short Key => 12;
    public string Name => "Heartbeat";
    public short MinVersion => 0;
    public short MaxVersion => 0;

    public DecodedRequest<KafkaRequestContext> Decode(KafkaRequestHeader header, ref KafkaReader body)
    {
        string group = body.String("group_id");
        int generation = body.Int32("generation_id");
        string memberId = body.String("member_id");
        return new(new KafkaRequestContext(header), new HeartbeatCommand(group, new MemberGeneration(memberId, generation)));
    }

    public void Encode(KafkaWriter w, in KafkaRequestContext context, ICoreResult result) => w.Int16(KafkaErrors.Of(result));
}
