using Golog.Core;
using Golog.Core.Groups;

namespace Golog.Broker.Doors.Kafka.Apis;

/// <summary>
/// ListGroups (16) v0: every group, of either kind, and those that only have committed offsets, with its protocol
/// type ("consumer" for Kafka consumer groups, "" for JSON-door and offsets-only groups). v0 carries no state.
/// </summary>
public sealed class ListGroupsApi : IKafkaApi
{
    public short Key => 16;
    public string Name => "ListGroups";
    public short MinVersion => 0;
    public short MaxVersion => 0;

    public DecodedRequest<KafkaRequestContext> Decode(KafkaRequestHeader header, ref KafkaReader body) =>
        new(new KafkaRequestContext(header), ListGroupsQuery.Instance);

    public void Encode(KafkaWriter w, in KafkaRequestContext context, ICoreResult result)
    {
        var groups = (result as GroupsListed)?.Groups ?? [];
        w.Int16(KafkaErrors.Of(result));
        w.ArrayLength(groups.Count);
        foreach (var g in groups)
        {
            w.String(g.Group);
            w.String(g.ProtocolType);
        }
    }
}
