using Akka.Configuration;

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

    [Fact]
    public void The_seeds_single_dash_go_spellings_and_the_equals_form_set_the_same_keys_as_the_double_dash_ones()
    {
        var config = BrokerHost.LoadConfig(["-port", "0", "-storage=/tmp/golog-go-style", "-set", "golog.segment.bytes=2MiB"], _ => null);
        Assert.Equal(0, config.GetInt("golog.port"));
        Assert.Equal("/tmp/golog-go-style", config.GetString("golog.storage"));
        Assert.Equal(2 * 1024 * 1024, config.GetByteSize("golog.segment.bytes"));
    }

    [Fact]
    public void A_misspelled_option_is_refused_with_its_name()
    {
        var refused = Assert.Throws<ArgumentException>(() => CommandLine.Parse(["--prot", "9093"], _ => null));
        Assert.Contains("'--prot'", refused.Message);
    }

    [Fact]
    public void The_defaults_help_shows_are_the_ones_the_hocon_file_has()
    {
        var defaults = ConfigurationFactory.ParseString(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "hocon", "golog.hocon")));
        foreach (var shortcut in CommandLine.Shortcuts)
        {
            string value = defaults.GetString(shortcut.Key);
            Assert.Equal(value is "" ? "none" : value, shortcut.Default);
        }
    }
}
