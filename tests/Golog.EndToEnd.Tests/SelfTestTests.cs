using System.Text.RegularExpressions;

namespace Golog.EndToEnd.Tests;

/// <summary><c>golog-broker selftest</c> as a user runs it: real broker processes killed with SIGKILL on their disk.</summary>
public sealed class SelfTestTests
{
    [Fact]
    public async Task Selftest_kills_real_brokers_verifies_every_acknowledged_message_and_prints_a_passing_summary()
    {
        using var storage = new TempStorage();
        var (exit, stdout, stderr) = await DotnetProgram.RunAsync("golog-broker", ["selftest", "--rounds", "2", "--storage", storage.Path],
            timeout: TimeSpan.FromMinutes(3));

        Assert.True(exit == 0, $"exit {exit}\n{stdout}\n{stderr}");
        var killRounds = Regex.Match(stdout, @"kill-9: rounds=2 acknowledged=(\d+) verified=(\d+) lost=0");
        Assert.True(killRounds.Success, stdout);
        Assert.True(long.Parse(killRounds.Groups[1].Value) >= 40, $"two rounds acknowledged almost nothing\n{stdout}");
        Assert.Equal(killRounds.Groups[1].Value, killRounds.Groups[2].Value); // every acknowledged message was read back
        Assert.Matches(@"power-loss: seeds=300 crash_points=900 acked_checked=\d+ lost=0 corrupt_served=0", stdout);
        Assert.Matches(@"fsync-ms: n=300 p50=[\d.]+ p99=[\d.]+", stdout);
        Assert.Matches(@"recovery-ms: median=\d+ max=\d+", stdout);
        Assert.Contains("version: golog-broker ", stdout);
        Assert.Contains("result: PASS", stdout);
        Assert.True(Directory.Exists(storage.Path), "a directory the user named is theirs: it is kept");
    }

    [Fact]
    public async Task Selftest_refuses_a_round_count_that_is_not_a_positive_number()
    {
        var (exit, _, stderr) = await DotnetProgram.RunAsync("golog-broker", ["selftest", "--rounds", "0"]);
        Assert.Equal(1, exit);
        Assert.Contains("--rounds", stderr);
    }
}
