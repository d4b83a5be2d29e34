using Golog.Client;

namespace Golog.EndToEnd.Tests;

/// <summary>The `golog` admin console against a real broker: topics create, groups list, groups describe.</summary>
public sealed class AdminConsoleTests
{
    private static Task<(int ExitCode, string Stdout, string Stderr)> Golog(int port, params string[] args) =>
        DotnetProgram.RunAsync("golog", ["--broker", $"127.0.0.1:{port}", .. args]);

    [Fact]
    public async Task Lists_and_describes_coordinated_and_manual_groups_with_lag()
    {
        await using var broker = await InProcessBroker.StartAsync();
        var created = await Golog(broker.Port, "topics", "create", "orders", "--partitions", "2");
        Assert.Equal((0, "created topic orders with 2 partitions"), (created.ExitCode, created.Stdout.Trim()));

        await using var client = await GologClient.ConnectAsync("127.0.0.1", broker.Port);
        await client.ProduceAsync("orders", 0, ["a", "b", "c"]);
        await client.CommitAsync("manual", "orders", 0, 1);
        var joined = await client.JoinGroupAsync("live", ["orders"]);
        await client.CommitAsync("live", "orders", 0, 2, member: new(joined.MemberId, joined.GenerationId));

        var list = await Golog(broker.Port, "groups", "list");
        Assert.Equal(0, list.ExitCode);
        Assert.Matches(@"live\s+stable\s+1", list.Stdout);
        Assert.Matches(@"manual\s+empty\s+0", list.Stdout);

        var describe = await Golog(broker.Port, "groups", "describe", "live");
        Assert.Equal(0, describe.ExitCode);
        Assert.Contains("group live: stable, generation 1, strategy range, 1 members", describe.Stdout);
        Assert.Matches($@"{joined.MemberId}\s+\S+\s+orders\s+orders:0,1", describe.Stdout);
        Assert.Matches($@"orders\s+0\s+2\s+3\s+1\s+{joined.MemberId}", describe.Stdout); // committed 2, high watermark 3, lag 1
        Assert.Matches(@"orders\s+1\s+-\s+0\s+-", describe.Stdout);                      // nothing committed: lag unknown
        Assert.Contains("total lag 1", describe.Stdout);
    }

    [Fact]
    public async Task Describing_a_group_the_broker_never_saw_says_so_and_fails()
    {
        await using var broker = await InProcessBroker.StartAsync();
        var (exit, _, stderr) = await Golog(broker.Port, "groups", "describe", "nobody");
        Assert.Equal(1, exit);
        Assert.Contains("unknown_group", stderr);
    }
}
