using Akka.Configuration;
using Golog.Core;

namespace Golog.Broker.Tests;

/// <summary>Only the golog.* keys that hocon/golog.hocon ships are accepted; a typo is refused, naming the key it meant.</summary>
public sealed class KnownSettingsTests
{
    private static string ShippedHocon => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "hocon", "golog.hocon"));
    private static readonly Config Shipped = ConfigurationFactory.ParseString(ShippedHocon);

    private static void Check(string hocon) =>
        KnownSettings.From(Shipped).RefuseUnknown(ConfigurationFactory.ParseString(hocon).WithFallback(Shipped));

    private static string Refusal(string hocon) => Assert.Throws<ArgumentException>(() => Check(hocon)).Message;

    [Fact]
    public void A_typo_is_refused_naming_the_key_and_the_one_it_most_likely_meant()
    {
        Assert.Equal("unknown setting golog.segmnt.bytes (did you mean golog.segment.bytes?)", Refusal("golog.segmnt.bytes = 1MiB"));
    }

    [Fact]
    public void A_key_like_no_known_one_is_refused_without_a_guess()
    {
        Assert.Equal("unknown setting golog.colour", Refusal("golog.colour = blue"));
    }

    [Fact]
    public void Every_unknown_key_is_named_at_once()
    {
        var message = Refusal("golog { port = 1, prot = 2, flush.polcy = os }");
        Assert.Contains("golog.prot (did you mean golog.port?)", message);
        Assert.Contains("golog.flush.polcy (did you mean golog.flush.policy?)", message);
    }

    [Fact]
    public void A_value_where_the_shipped_file_has_a_block_or_a_block_where_it_has_a_value_is_refused()
    {
        Assert.Equal("unknown setting golog.segment", Refusal("golog.segment = 1MiB"));
        Assert.Equal("unknown setting golog.port.number", Refusal("golog.port { number = 1 }"));
    }

    [Fact]
    public void Every_shipped_key_is_accepted_when_set_explicitly()
    {
        Check(ShippedHocon); // as if golog.hocon were copied into a --config file and edited
    }

    [Fact]
    public void Keys_outside_golog_are_left_to_their_owners()
    {
        Check("""
            akka.loglevel = DEBUG
            golog-partition-dispatcher.throughput = 10
            """);
    }

    [Fact]
    public void A_typo_in_any_layer_of_the_configuration_is_found()
    {
        var configFile = ConfigurationFactory.ParseString("golog.retention.bytez = 1GiB");
        var effective = ConfigurationFactory.ParseString("golog.port = 0").WithFallback(configFile).WithFallback(Shipped);
        var error = Assert.Throws<ArgumentException>(() => KnownSettings.From(Shipped).RefuseUnknown(effective));
        Assert.Equal("unknown setting golog.retention.bytez (did you mean golog.retention.bytes?)", error.Message);
    }

    [Fact]
    public void A_topic_override_may_set_every_segment_and_retention_key()
    {
        Check("""
            golog.topics.overrides {
              "audit.log" { retention.ms = infinite }
              clicks {
                segment { bytes = 64MiB, messages = 10, age = 1d, index-interval-bytes = 1024 }
                retention { ms = 1h, bytes = 1GiB }
              }
            }
            """);
    }

    [Theory]
    [InlineData("golog.topics.overrides { clicks { flush.policy = os } }",
        "unknown setting golog.topics.overrides.clicks.flush.policy (only segment.* and retention.* can be set per topic)")]
    [InlineData("golog.topics.overrides { \"audit.log\" { segmnt.bytes = 1MiB } }",
        "unknown setting golog.topics.overrides.\"audit.log\".segmnt.bytes (did you mean golog.topics.overrides.\"audit.log\".segment.bytes?)")]
    [InlineData("golog.topics.overrides { clicks { retention.check-interval = 1m } }", // read broker-wide only
        "unknown setting golog.topics.overrides.clicks.retention.check-interval (only segment.* and retention.* can be set per topic)")]
    [InlineData("golog.topics.overrides { clicks = 1h }",
        "unknown setting golog.topics.overrides.clicks (only segment.* and retention.* can be set per topic)")]
    public void A_topic_override_with_a_key_it_cannot_set_is_refused(string hocon, string expected)
    {
        Assert.Equal(expected, Refusal(hocon));
    }

    [Fact]
    public void The_broker_refuses_a_typo_from_set_or_from_a_config_file_when_loading_its_configuration()
    {
        var fromSet = Assert.Throws<ArgumentException>(() => BrokerHost.LoadConfig(["--set", "golog.segmnt.bytes=1MiB"], _ => null));
        Assert.Contains("golog.segmnt.bytes", fromSet.Message);

        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, "golog.connections { max = 10, idle-timout = 1m }");
            var fromFile = Assert.Throws<ArgumentException>(() => BrokerHost.LoadConfig(["--config", file], _ => null));
            Assert.Contains("golog.connections.idle-timout (did you mean golog.connections.idle-timeout?)", fromFile.Message);
        }
        finally { File.Delete(file); }
    }
}
