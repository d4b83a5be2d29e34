using Golog.Core;
using Golog.Core.Groups;

namespace Golog.Broker.Doors.Kafka.Apis;

/// <summary>
/// DescribeGroups (15) v0: state, protocol and members of each group, of either kind. A client-assigned group shows
/// its members' metadata and assignments as they sent them; a broker-assigned (JSON-door) group shows its members
/// with empty metadata and protocol type "" (Kafka tools then do not try to read them). A group Golog does not know is
/// "Dead" with error 0, as Kafka answers at v0.
/// </summary>
public sealed class DescribeGroupsApi : IKafkaApi
{
    public short Key => 15;
    public string Name => "DescribeGroups";
    public short MinVersion => 0;
    public short MaxVersion => 0;

    public DecodedRequest<KafkaRequestContext> Decode(KafkaRequestHeader header, ref KafkaReader body)
    {
        var groups = new string[body.ArrayLength("groups")];
        for (int i = 0; i < groups.Length; i++) groups[i] = body.String("groups");
        return new(new KafkaRequestContext(header, groups), null) { Parts = groups.Select(g => (ICoreCommand)new DescribeGroupQuery(g)).ToList() };
    }

    public void Encode(KafkaWriter w, in KafkaRequestContext context, ICoreResult result)
    {
        var groups = (string[])context.State!;
        var parts = (PartResults)result;
        w.ArrayLength(groups.Length);
        for (int i = 0; i < groups.Length; i++)
        {
            var answer = parts.Results[i];
            var d = (answer as GroupDescribed)?.Description;
            bool unknown = answer is Failed { Error.Code: BrokerErrorCode.UnknownGroup };
            w.Int16(d is not null || unknown ? KafkaErrors.None : KafkaErrors.Of(answer));
            w.String(groups[i]);
            w.String(d is null ? (unknown ? "Dead" : "") : StateName(d.State));
            w.String(d?.ProtocolType ?? "");
            w.String(d?.Protocol ?? "");
            var members = d?.Members ?? [];
            w.ArrayLength(members.Count);
            foreach (var m in members)
            {
                w.String(m.MemberId);
                w.String(m.ClientId);
                w.String(m.Client?.ClientHost ?? "");
                w.Bytes(m.Client?.Metadata ?? []);
                w.Bytes(m.Client?.Assignment ?? []);
            }
        }
    }

    /// <summary>Kafka's names of the classic group states.</summary>
    public static string StateName(GroupState state) => state switch
    {
        GroupState.Empty => "Empty",
        GroupState.PreparingRebalance => "PreparingRebalance",
        GroupState.CompletingRebalance => "CompletingRebalance",
        _ => "Stable",
    };
}
