using System.CommandLine;

namespace Golog.Admin;

/// <summary>
/// `golog groups reset-offsets GROUP (--to-earliest | --to-latest | --to-offset N | --to-datetime T) [--topic T]
/// [--dry-run]`, as kafka-consumer-groups --reset-offsets: only while the group has no members (the broker refuses
/// otherwise). Without --topic, every partition the group has committed offsets for.
/// </summary>
internal static class ResetOffsetsCommand
{
    public static Command Create()
    {
        var group = new Argument<string>("GROUP") { Description = "group name" };
        var topic = new Option<string?>("--topic", "-t") { Description = "reset every partition of this topic (default: every partition the group has committed)", HelpName = "TOPIC" };
        var toEarliest = new Option<bool>("--to-earliest") { Description = "to each partition's log start offset" };
        var toLatest = new Option<bool>("--to-latest") { Description = "to each partition's high watermark (skip everything there now)" };
        var toOffset = new Option<long?>("--to-offset") { Description = "to offset N, kept within each partition's log start and high watermark", HelpName = "N" };
        var toDatetime = new Option<string?>("--to-datetime")
        {
            Description = "to the first offset at or after time T (not available yet: the log keeps no time index)",
            HelpName = "T",
        };
        var dryRun = new Option<bool>("--dry-run") { Description = "show what would be done and change nothing" };
        var reset = new Command("reset-offsets", "move a group's committed offsets; only while the group has no members")
        {
            group, topic, toEarliest, toLatest, toOffset, toDatetime, dryRun,
        };
        reset.SetAction(async (parsed, _) =>
        {
            int targets = (parsed.GetValue(toEarliest) ? 1 : 0) + (parsed.GetValue(toLatest) ? 1 : 0)
                          + (parsed.GetValue(toOffset) is null ? 0 : 1) + (parsed.GetValue(toDatetime) is null ? 0 : 1);
            if (targets != 1) return BrokerCall.Refused("give exactly one of --to-earliest, --to-latest, --to-offset N, --to-datetime T");
            if (parsed.GetValue(toDatetime) is not null)
                return BrokerCall.Refused("--to-datetime is not available: Golog's log keeps no time index yet, so no offset can be found by time; use --to-offset N");
            if (parsed.GetValue(toOffset) is < 0) return BrokerCall.Refused("--to-offset must be a non-negative offset");
            string to = parsed.GetValue(toEarliest) ? "earliest" : parsed.GetValue(toLatest) ? "latest" : "offset";
            string name = parsed.GetValue(group)!;
            bool dry = parsed.GetValue(dryRun);
            return await BrokerCall.RunOnClusterAsync(parsed, async (cluster, ct) =>
            {
                await using var coordinator = cluster.Coordinator(name);
                var result = await coordinator.ResetOffsetsAsync(parsed.GetValue(topic), to, parsed.GetValue(toOffset), dry, ct);
                if (Output.IsJson(parsed)) { Output.WriteJson(Console.Out, new { Group = name, DryRun = dry, Reset = result }); return 0; }
                Console.WriteLine(dry ? $"dry run: group {name} would be reset as follows; nothing was changed" : $"group {name}: offsets reset");
                Console.WriteLine();
                Output.WriteTable(Console.Out, ["TOPIC", "PARTITION", "PREVIOUS", "NEW"],
                    result.Select(r => new[] { r.Topic, r.Partition.ToString(), Output.Dash(r.Previous), r.Offset.ToString() }));
                return 0;
            });
        });
        return reset;
    }
}
