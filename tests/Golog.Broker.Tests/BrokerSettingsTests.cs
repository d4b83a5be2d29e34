using Golog.Core;
using Akka.Configuration;
using Golog.Storage;

namespace Golog.Broker.Tests;

public sealed class BrokerSettingsTests
{
    private static BrokerSettings Parse(string hocon) =>
        BrokerSettings.From(ConfigurationFactory.ParseString(hocon).WithFallback(BrokerSpec.TestConfig()));

    [Fact]
    public void The_shipped_defaults_keep_seven_days_with_no_size_limit_checked_every_five_minutes()
    {
        var settings = Parse("");
        Assert.Equal(new RetentionPolicy(TimeSpan.FromDays(7), null), settings.Log.Retention);
        Assert.Equal(TimeSpan.FromMinutes(5), settings.RetentionCheckInterval);
    }

    [Theory]
    [InlineData("infinite")]
    [InlineData("-1")]
    public void Retention_ms_infinite_or_minus_one_keeps_segments_forever(string value)
    {
        var settings = Parse($"golog.retention.ms = {value}");
        Assert.False(settings.Log.Retention.DeletesAnything);
    }

    [Fact]
    public void A_topic_override_names_only_what_differs_and_inherits_the_rest()
    {
        var settings = Parse("""
            golog.segment.messages = 10
            golog.retention.bytes = 1GiB
            golog.topics.overrides {
              "audit.log" { retention.ms = infinite }
              clicks { retention.ms = 1h, segment.bytes = 1MiB }
            }
            """);

        var audit = settings.LogFor("audit.log");
        Assert.Equal(new RetentionPolicy(null, 1L << 30), audit.Retention);
        Assert.Equal(10, audit.SegmentMessages);
        var clicks = settings.LogFor("clicks");
        Assert.Equal(new RetentionPolicy(TimeSpan.FromHours(1), 1L << 30), clicks.Retention);
        Assert.Equal(1L << 20, clicks.SegmentBytes);
        Assert.Same(settings.Log, settings.LogFor("orders"));
    }

    [Theory]
    [InlineData("golog.topics.overrides { clicks { flush.policy = os } }", "only segment.* and retention.*")]
    [InlineData("golog.topics.overrides { \"bad name\" { retention.ms = 1h } }", "bad name")]
    [InlineData("golog.retention.ms = 0", "golog.retention.ms must be > 0")]
    [InlineData("golog.retention.bytes = 0", "golog.retention.bytes must be > 0")]
    [InlineData("golog.segment.bytes = 2GiB", "below 2GiB")]
    public void Settings_that_would_do_nothing_or_break_the_log_are_refused_at_start(string hocon, string expected)
    {
        var error = Assert.Throws<ArgumentException>(() => Parse(hocon));
        Assert.Contains(expected, error.Message);
    }
}
