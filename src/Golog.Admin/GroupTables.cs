using Golog.Protocol;

namespace Golog.Admin;

/// <summary>Plain-text tables for the group commands, column widths fitted to the content (like kafka-consumer-groups.sh).</summary>
internal static class GroupTables
{
    public static void WriteList(TextWriter output, IReadOnlyList<GroupListing> groups)
    {
        if (groups.Count == 0) { output.WriteLine("no consumer groups"); return; }
        WriteTable(output, ["GROUP", "STATE", "MEMBERS", "KIND"], groups.Select(g => new[] { g.Group, g.State, g.Members.ToString(), g.Kind }));
    }

    public static void WriteDescription(TextWriter output, GroupDescription d)
    {
        string assigner = d.Kind == GroupKinds.ClientAssigned ? "assigned by its Kafka clients, protocol" : "strategy";
        output.WriteLine($"group {d.Group}: {d.State}, generation {d.GenerationId}, {assigner} {d.Protocol}, {d.Members.Count} members");
        if (d.Members.Count > 0)
        {
            output.WriteLine();
            WriteTable(output, ["MEMBER", "CLIENT", "TOPICS", "ASSIGNMENT"], d.Members.Select(m => new[]
            {
                m.MemberId, m.ClientId, string.Join(",", m.Topics),
                m.Assignment.Count == 0 ? "-" : string.Join(" ", m.Assignment.Select(a => $"{a.Topic}:{string.Join(",", a.Partitions)}")),
            }));
        }
        if (d.Offsets.Count > 0)
        {
            output.WriteLine();
            WriteTable(output, ["TOPIC", "PARTITION", "COMMITTED", "HIGH-WATERMARK", "LAG", "MEMBER"], d.Offsets.Select(o => new[]
            {
                o.Topic, o.Partition.ToString(), Dash(o.Committed), Dash(o.HighWatermark), Dash(o.Lag), o.MemberId ?? "-",
            }));
            output.WriteLine();
            output.WriteLine($"total lag {d.Offsets.Sum(o => o.Lag ?? 0)}");
        }
    }

    private static string Dash(long? value) => value?.ToString() ?? "-";

    private static void WriteTable(TextWriter output, string[] header, IEnumerable<string[]> rows)
    {
        var all = rows.Prepend(header).ToList();
        var widths = header.Select((_, i) => all.Max(r => r[i].Length)).ToArray();
        foreach (var row in all)
            output.WriteLine(string.Join("  ", row.Select((cell, i) => i == row.Length - 1 ? cell : cell.PadRight(widths[i]))));
    }
}
