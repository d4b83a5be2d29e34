using System.CommandLine;
using Golog.Client;
using Golog.Protocol;

namespace Golog.Admin;

/// <summary>`golog groups list | describe | reset-offsets`, as kafka-consumer-groups does them.</summary>
internal static class GroupCommands
{
    public static Command Create()
    {
        var groups = new Command("groups", "list and describe consumer groups, reset their offsets");

        var list = new Command("list", "every consumer group: state and number of members (groups that only have committed offsets are listed as empty)");
        list.SetAction((parsed, _) => BrokerCall.RunOnClusterAsync(parsed, async (cluster, ct) =>
        {
            var all = await ListEveryNodesGroupsAsync(cluster, ct);
            if (Output.IsJson(parsed)) Output.WriteJson(Console.Out, all);
            else GroupTables.WriteList(Console.Out, all);
            return 0;
        }));

        var describeGroup = new Argument<string>("GROUP") { Description = "group name" };
        var describe = new Command("describe", "members and their partitions, and per partition the committed offset, the high watermark and the lag") { describeGroup };
        describe.SetAction((parsed, _) => BrokerCall.RunOnClusterAsync(parsed, async (cluster, ct) =>
        {
            await using var coordinator = cluster.Coordinator(parsed.GetValue(describeGroup)!);
            var d = await coordinator.DescribeAsync(ct);
            if (Output.IsJson(parsed)) Output.WriteJson(Console.Out, d);
            else GroupTables.WriteDescription(Console.Out, d);
            return 0;
        }));

        groups.Add(list);
        groups.Add(describe);
        groups.Add(ResetOffsetsCommand.Create());
        return groups;
    }

    /// <summary>
    /// Every group of the cluster: each node lists the groups it coordinates (a cluster's groups are spread over the
    /// coordinators), so every node up is asked, as Kafka's admin client does; one broker lists them all.
    /// </summary>
    private static async Task<List<GroupListing>> ListEveryNodesGroupsAsync(ClusterClient cluster, CancellationToken ct)
    {
        var nodes = (await cluster.MetadataAsync(cancellationToken: ct)).Brokers?.Where(b => b.Status == BrokerStatus.Up).ToList();
        if (nodes is not { Count: > 1 }) return await (await cluster.AnyBrokerAsync(ct)).ListGroupsAsync(ct);
        var listings = await Task.WhenAll(nodes.Select(async node =>
        {
            await using var client = await GologClient.ConnectAsync(new BrokerAddress(node.Host, node.Port), ct);
            return await client.ListGroupsAsync(ct);
        }));
        return [.. listings.SelectMany(l => l).DistinctBy(g => g.Group).OrderBy(g => g.Group, StringComparer.Ordinal)];
    }
}
