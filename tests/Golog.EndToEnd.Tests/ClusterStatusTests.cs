using System.Text.Json;

namespace Golog.EndToEnd.Tests;

/// <summary>`golog cluster status` against a real one-node broker: the node, and every partition led by it, in sync.</summary>
public sealed class ClusterStatusTests
{
    [Fact]
    public async Task On_one_node_it_lists_the_node_and_every_partition_led_by_it_with_nothing_under_replicated()
    {
        await using var broker = await InProcessBroker.StartAsync(null, "--set", "golog.kafka.node-id=7");
        await using (var client = await LineClient.ConnectAsync(broker.Port))
            await client.RequestAsync("""{"type":"create_topic","id":1,"topic":"orders","partitions":2}""");

        var (exit, stdout, stderr) = await DotnetProgram.RunAsync("golog", ["--broker", $"127.0.0.1:{broker.Port}", "cluster", "status"]);

        Assert.Equal((0, ""), (exit, stderr));
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal("1 nodes, controller 7; 2 partitions, 0 under-replicated", lines[0]);
        Assert.Matches(@"^NODE\s+ADDRESS\s+KAFKA-PORT\s+STATUS$", lines[1]);
        Assert.Matches($@"^7\s+localhost:{broker.Port}\s+\d+\s+up$", lines[2]);
        Assert.Matches(@"^TOPIC\s+PARTITION\s+LEADER\s+EPOCH\s+REPLICAS\s+ISR\s+UNDER-REPLICATED$", lines[3]);
        Assert.Matches(@"^orders\s+0\s+7\s+0\s+7\s+7\s+no$", lines[4]);
        Assert.Matches(@"^orders\s+1\s+7\s+0\s+7\s+7\s+no$", lines[5]);
        Assert.Equal(6, lines.Length);
    }

    [Fact]
    public async Task Its_json_output_gives_the_same_for_scripts()
    {
        await using var broker = await InProcessBroker.StartAsync();
        await using (var client = await LineClient.ConnectAsync(broker.Port))
            await client.RequestAsync("""{"type":"create_topic","id":1,"topic":"t","partitions":1}""");

        var (exit, stdout, _) = await DotnetProgram.RunAsync("golog", ["--broker", $"127.0.0.1:{broker.Port}", "-o", "json", "cluster", "status"]);

        Assert.Equal(0, exit);
        var status = JsonDocument.Parse(stdout).RootElement;
        var node = Assert.Single(status.GetProperty("nodes").EnumerateArray().ToList());
        Assert.Equal(broker.Port, node.GetProperty("port").GetInt32());
        Assert.Equal("up", node.GetProperty("status").GetString());
        Assert.Equal(0, status.GetProperty("under_replicated").GetInt32());
        var partition = Assert.Single(status.GetProperty("partitions").EnumerateArray().ToList());
        Assert.Equal(1, partition.GetProperty("leader").GetInt32()); // golog.kafka.node-id's default
        Assert.Equal([1], partition.GetProperty("isr").EnumerateArray().Select(e => e.GetInt32()));
    }
}
