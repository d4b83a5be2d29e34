using Golog.Core;
using Golog.Core.Groups;

namespace Golog.Broker.Doors.Kafka.Apis;

/// <summary>
/// JoinGroup (11) v1: a client-assigned member joins (or rejoins) with its protocols; the answer is held until the
/// join phase completes (the initial rebalance delay for a group leaving Empty, then until every member has rejoined or
/// the rebalance timeout ran out). Only the leader's answer lists the members and their metadata.
/// </summary>
public sealed class JoinGroupApi : IKafkaApi
{
    public short Key => 11;
    public string Name => "JoinGroup";
    public short MinVersion => 1;
    public short MaxVersion => 1;

    public DecodedRequest<KafkaRequestContext> Decode(KafkaRequestHeader header, ref KafkaReader body)
    {
        string group = body.String("group_id");
        int session = body.Int32("session_timeout_ms");
        int rebalance = body.Int32("rebalance_timeout_ms");
        string memberId = body.String("member_id");
        string protocolType = body.String("protocol_type");
        var protocols = new GroupProtocol[body.ArrayLength("protocols")];
        for (int i = 0; i < protocols.Length; i++)
            protocols[i] = new GroupProtocol(body.String("protocols.name"), body.Bytes("protocols.metadata", out _).ToArray());
        var command = new ClientJoinGroupCommand(group, memberId, header.ClientId ?? "", "", TimeSpan.FromMilliseconds(session),
            TimeSpan.FromMilliseconds(rebalance > 0 ? rebalance : session), protocolType, protocols);
        return new(new KafkaRequestContext(header, memberId), command);
    }

    public void Encode(KafkaWriter w, in KafkaRequestContext context, ICoreResult result)
    {
        if (result is not ClientGroupJoined joined)
        {
            w.Int16(KafkaErrors.Of(result));
            w.Int32(-1);
            w.String("");
            w.String("");
            w.String((string)context.State!);
            w.ArrayLength(0);
            return;
        }
        w.Int16(KafkaErrors.None);
        w.Int32(joined.GenerationId);
        w.String(joined.Protocol);
        w.String(joined.LeaderId);
        w.String(joined.MemberId);
        w.ArrayLength(joined.Members.Count);
        foreach (var member in joined.Members)
        {
            w.String(member.MemberId);
            w.Bytes(member.Metadata);
        }
    }
}
