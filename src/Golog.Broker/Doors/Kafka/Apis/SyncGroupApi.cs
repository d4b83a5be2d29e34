using Golog.Core;
using Golog.Core.Groups;

namespace Golog.Broker.Doors.Kafka.Apis;

/// <summary>
/// SyncGroup (14) v0: every member asks for its assignment; the leader's request carries everyone's. A follower's
/// answer is held until the leader's arrives; the bytes are the leader's, untouched.
/// </summary>
public sealed class SyncGroupApi : IKafkaApi
{
    public short Key => 14;
    public string Name => "SyncGroup";
    public short MinVersion => 0;
    public short MaxVersion => 0;

    public DecodedRequest<KafkaRequestContext> Decode(KafkaRequestHeader header, ref KafkaReader body)
    {
        string group = body.String("group_id");
        int generation = body.Int32("generation_id");
        string memberId = body.String("member_id");
        var assignments = new Dictionary<string, byte[]>();
        for (int i = body.ArrayLength("assignments"); i > 0; i--)
            assignments[body.String("assignments.member_id")] = body.Bytes("assignments.assignment", out _).ToArray();
        return new(new KafkaRequestContext(header), new SyncGroupCommand(group, new MemberGeneration(memberId, generation), assignments));
    }

    public void Encode(KafkaWriter w, in KafkaRequestContext context, ICoreResult result)
    {
        w.Int16(KafkaErrors.Of(result));
        w.Bytes(result is GroupSynced synced ? synced.Assignment : []);
    }
}
