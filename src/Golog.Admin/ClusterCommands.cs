using System.CommandLine;
using Golog.Client;
using Golog.Protocol;

namespace Golog.Admin;

/// <summary>`golog cluster status`: the nodes, and per partition its leader, replicas and in-sync replicas, from `metadata`.</summary>
internal static class ClusterCommands
{
    public static Command Create()
    {
        var cluster = new Command("cluster", "the cluster's nodes and where each partition's replicas are");
        var status = new Command("status", "nodes (id, address, status) and per partition leader, replicas, ISR; counts the under-replicated partitions");
        status.SetAction((parsed, _) => BrokerCall.RunAsync(parsed, async (client, ct) =>
        {
            var metadata = await client.ClusterMetadataAsync(null, ct);
            var view = ClusterView.Of(metadata);
            if (Output.IsJson(parsed)) Output.WriteJson(Console.Out, view);
            else Write(Console.Out, view);
            return 0;
        }));
        cluster.Add(status);
        return cluster;
    }

    private static void Write(TextWriter output, ClusterView view)
    {
        output.WriteLine($"{view.Nodes.Count} nodes, controller {Output.Dash(view.Controller)}; {view.Partitions.Count} partitions, " +
                         $"{view.UnderReplicated} under-replicated");
        output.WriteLine();
        Output.WriteTable(output, ["NODE", "ADDRESS", "KAFKA-PORT", "STATUS"], view.Nodes.Select(n => new[]
        {
            n.NodeId.ToString(), new BrokerAddress(n.Host, n.Port).ToString(), Output.Dash(n.KafkaPort), n.Status,
        }));
        if (view.Partitions.Count == 0) return;
        output.WriteLine();
        Output.WriteTable(output, ["TOPIC", "PARTITION", "LEADER", "EPOCH", "REPLICAS", "ISR", "UNDER-REPLICATED"], view.Partitions.Select(p => new[]
        {
            p.Topic, p.Partition.ToString(), Output.Dash(p.Leader), Output.Dash(p.LeaderEpoch), Ids(p.Replicas), Ids(p.Isr), p.UnderReplicated ? "yes" : "no",
        }));
    }

    private static string Ids(IReadOnlyList<int> ids) => ids.Count == 0 ? "-" : string.Join(",", ids);
}

/// <summary>What `golog cluster status` shows (also its --output json).</summary>
internal sealed record ClusterView(IReadOnlyList<BrokerNode> Nodes, int? Controller, IReadOnlyList<ClusterView.PartitionRow> Partitions, int UnderReplicated)
{
    internal sealed record PartitionRow(string Topic, int Partition, int? Leader, int? LeaderEpoch, IReadOnlyList<int> Replicas, IReadOnlyList<int> Isr,
        bool UnderReplicated);

    /// <summary>A broker from before replication lists no nodes nor leaders: those are shown empty.</summary>
    public static ClusterView Of(ClusterMetadata metadata)
    {
        var nodes = metadata.Brokers ?? [];
        var rows = metadata.Partitions.Select(x => new PartitionRow(x.Topic, x.Partition.Partition, x.Partition.Leader, x.Partition.LeaderEpoch,
            x.Partition.Replicas ?? [], x.Partition.Isr ?? [], x.Partition.UnderReplicated)).ToList();
        return new ClusterView(nodes, metadata.Controller, rows, rows.Count(r => r.UnderReplicated));
    }
}
