namespace Golog.Broker.Tests;

public sealed class CommandLineTests
{
    [Fact]
    public void The_ports_file_is_set_by_flag_or_environment_and_the_flag_wins()
    {
        var env = new Dictionary<string, string> { ["GOLOG_PORTS_FILE"] = "/run/env.json" };
        Assert.Contains("golog.ports-file = \"/run/env.json\"", CommandLine.Parse([], env.GetValueOrDefault).Hocon);
        Assert.Contains("golog.ports-file = \"/run/flag.json\"", CommandLine.Parse(["--ports-file", "/run/flag.json"], env.GetValueOrDefault).Hocon);
    }
}
