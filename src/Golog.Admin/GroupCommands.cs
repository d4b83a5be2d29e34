using System.CommandLine;
using Golog.Client;

namespace Golog.Admin;

/// <summary>`golog groups list | describe | reset-offsets`, as kafka-consumer-groups does them.</summary>
internal static class GroupCommands
{
    public static Command Create()
    {
        var groups = new Command("groups", "list and describe consumer groups, reset their offsets");

        var list = new Command("list", "every consumer group: state and number of members (groups that only have committed offsets are listed as empty)");
        list.SetAction((parsed, _) => BrokerCall.RunAsync(parsed, async (client, ct) =>
        {
            var all = await client.ListGroupsAsync(ct);
            if (Output.IsJson(parsed)) Output.WriteJson(Console.Out, all);
            else GroupTables.WriteList(Console.Out, all);
            return 0;
        }));

        var describeGroup = new Argument<string>("GROUP") { Description = "group name" };
        var describe = new Command("describe", "members and their partitions, and per partition the committed offset, the high watermark and the lag") { describeGroup };
        describe.SetAction((parsed, _) => BrokerCall.RunAsync(parsed, async (client, ct) =>
        {
            var d = await client.DescribeGroupAsync(parsed.GetValue(describeGroup)!, ct);
            if (Output.IsJson(parsed)) Output.WriteJson(Console.Out, d);
            else GroupTables.WriteDescription(Console.Out, d);
            return 0;
        }));

        groups.Add(list);
        groups.Add(describe);
        groups.Add(ResetOffsetsCommand.Create());
        return groups;
    }
}
