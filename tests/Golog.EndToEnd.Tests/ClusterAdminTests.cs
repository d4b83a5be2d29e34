using System.Text.Json;
using Golog.Client;
using Xunit.Abstractions;

namespace Golog.EndToEnd.Tests;

/// <summary>
/// `golog groups` on a three-node cluster, where a group lives at one coordinator: describe and reset-offsets reach
/// it from whichever node --broker names, and list shows the groups of every node.
/// </summary>
public sealed class ClusterAdminTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Describe_reset_and_list_work_from_every_node_whichever_coordinates_the_group()
    {
        await using var cluster = await ClusterProcesses.StartAsync();
        await cluster.ShowingLogsOnFailureAsync(output, async () =>
        {
            await cluster.CreateTopicAsync("orders", 1, ClusterProcesses.Nodes.Count, Timeout);
            await using (var client = await ClusterClient.ConnectAsync(cluster.Bootstrap))
            await using (var coordinator = client.Coordinator("billing"))
                await coordinator.CommitAsync("orders", 0, 7, member: null, CancellationToken.None);

            foreach (int node in ClusterProcesses.Nodes)
                Assert.Equal(7, CommittedOf(await GologJsonAsync(cluster[node].Port, "groups", "describe", "billing")));

            int last = ClusterProcesses.Nodes[^1];
            await GologJsonAsync(cluster[last].Port, "groups", "reset-offsets", "billing", "--topic", "orders", "--to-offset", "0");
            Assert.Equal(0, CommittedOf(await GologJsonAsync(cluster[ClusterProcesses.Nodes[0]].Port, "groups", "describe", "billing")));

            foreach (int node in ClusterProcesses.Nodes)
            {
                var listed = await GologJsonAsync(cluster[node].Port, "groups", "list");
                Assert.Contains("billing", listed.EnumerateArray().Select(g => g.GetProperty("group").GetString()));
            }
        });
    }

    private static long? CommittedOf(JsonElement description) =>
        description.GetProperty("offsets").EnumerateArray().Single(o => o.GetProperty("topic").GetString() == "orders").GetProperty("committed").GetInt64();

    private static async Task<JsonElement> GologJsonAsync(int port, params string[] args)
    {
        var (exit, stdout, stderr) = await DotnetProgram.RunAsync("golog", ["--broker", $"127.0.0.1:{port}", "-o", "json", .. args]);
        Assert.True(exit == 0, $"golog {string.Join(' ', args)} at port {port}: exit {exit}\n{stderr}{stdout}");
        return JsonDocument.Parse(stdout).RootElement;
    }
}
