using Golog.Protocol;

namespace Golog.Admin;

/// <summary>Plain-text tables for the group commands, column widths fitted to the content (like kafka-consumer-groups.sh).</summary>
internal static class GroupTables
{
    public static void WriteList(TextWriter output, IReadOnlyList<GroupListing> groups)
    {
        if (groups.Count == 0) { output.WriteLine("no consumer groups"); return; }
        Output.WriteTable(output, ["GROUP", "STATE", "MEMBERS"], groups.Select(g => new[] { g.Group, g.State, g.Members.ToString() }));
    }

    public static void WriteDescription(TextWriter output, GroupDescription d)
    {
        output.WriteLine($"group {d.Group}: {d.State}, generation {d.GenerationId}, strategy {d.Protocol}, {d.Members.Count} members");
        if (d.Members.Count > 0)
        {
            output.WriteLine();
            Output.WriteTable(output, ["MEMBER", "CLIENT", "TOPICS", "ASSIGNMENT"], d.Members.Select(m => new[]
            {
                m.MemberId, m.ClientId, string.Join(",", m.Topics),
                m.Assignment.Count == 0 ? "-" : string.Join(" ", m.Assignment.Select(a => $"{a.Topic}:{string.Join(",", a.Partitions)}")),
            }));
        }
        if (d.Offsets.Count > 0)
        {
            output.WriteLine();
            Output.WriteTable(output, ["TOPIC", "PARTITION", "COMMITTED", "HIGH-WATERMARK", "LAG", "MEMBER"], d.Offsets.Select(o => new[]
            {
                o.Topic, o.Partition.ToString(), Output.Dash(o.Committed), Output.Dash(o.HighWatermark), Output.Dash(o.Lag), o.MemberId ?? "-",
            }));
            output.WriteLine();
            output.WriteLine($"total lag {d.Offsets.Sum(o => o.Lag ?? 0)}");
        }
    }
}
