using Golog.Core;
using Akka.Configuration;
using Golog.Storage;

namespace Golog.Broker.Tests;

public sealed class BrokerSettingsTests
{
    private static BrokerSettings Parse(string hocon) =>
        BrokerSettings.From(ConfigurationFactory.ParseString(hocon).WithFallback(BrokerSpec.TestConfig()));

    [Fact]
    public void The_shipped_defaults_are_those_of_golog_hocon()
    {
        var settings = Parse("");
        Assert.Equal(("localhost", 9092), (settings.Host, settings.Port));
        Assert.Equal(Path.GetFullPath("storage"), settings.StorageDirectory);
        Assert.Null(settings.PortsFile);
        Assert.True(settings.AutoCreateTopics);
        Assert.Equal((1, 1024, 10_000), (settings.DefaultPartitions, settings.MaxPartitionsPerTopic, settings.MaxTopics));
        Assert.Equal(10_000, settings.MaxConnections);
        Assert.Equal((TimeSpan.FromHours(1), TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30)),
            (settings.IdleTimeout, settings.PartialLineTimeout, settings.WriteTimeout));
        Assert.Equal(8 << 20, settings.MaxPendingReplyBytes);
        Assert.Equal((128L << 20, long.MaxValue, TimeSpan.FromDays(7), 4096, 1 << 20),
            (settings.Log.SegmentBytes, settings.Log.SegmentMessages, settings.Log.SegmentAge, settings.Log.IndexIntervalBytes, settings.Log.PreallocateBytes));
        Assert.Empty(settings.TopicLogs);
        Assert.Equal(FlushPolicy.Always, settings.Flush);
        Assert.Equal(2, settings.SyncThreads);
        Assert.Equal((16 << 20, 1 << 20, 100_000, 1024),
            (settings.MaxLineBytes, settings.MaxMessageBytes, settings.MaxBatchMessages, settings.MaxInFlightPerConnection));
        Assert.Equal((1000, 1000, 1 << 20, 8 << 20, TimeSpan.FromSeconds(30)),
            (settings.SeedFetchMaxMessages, settings.DefaultFetchMaxMessages, settings.DefaultFetchMaxBytes, settings.MaxFetchBytes, settings.MaxFetchWait));
    }

    [Fact]
    public void Every_setting_is_read_from_the_configuration()
    {
        var settings = Parse("""
            golog {
              host = "0.0.0.0", port = 1234, storage = "elsewhere", ports-file = "run/ports.json"
              topics { auto-create = off, default-partitions = 3, max-partitions-per-topic = 7, max = 9 }
              connections { max = 11, idle-timeout = 2m, partial-line-timeout = 3s, write-timeout = 4s, max-pending-reply-bytes = 2MiB }
              segment { bytes = 1MiB, messages = 10, age = 1d, index-interval-bytes = 64, preallocate-bytes = 0 }
              retention { ms = 1h, bytes = 1GiB, check-interval = 1m }
              flush { policy = interval, interval = 250ms, sync-threads = 1 }
              request { max-line-bytes = 2MiB, max-message-bytes = 64KiB, max-batch-messages = 50, max-in-flight = 8 }
              fetch { seed-max-messages = 5, default-max-messages = 6, default-max-bytes = 128KiB, max-bytes = 4MiB, max-wait = 5s }
            }
            """);
        Assert.Equal(("0.0.0.0", 1234), (settings.Host, settings.Port));
        Assert.Equal(Path.GetFullPath("elsewhere"), settings.StorageDirectory);
        Assert.Equal(Path.GetFullPath("run/ports.json"), settings.PortsFile);
        Assert.False(settings.AutoCreateTopics);
        Assert.Equal((3, 7, 9), (settings.DefaultPartitions, settings.MaxPartitionsPerTopic, settings.MaxTopics));
        Assert.Equal(11, settings.MaxConnections);
        Assert.Equal((TimeSpan.FromMinutes(2), TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(4)),
            (settings.IdleTimeout, settings.PartialLineTimeout, settings.WriteTimeout));
        Assert.Equal(2 << 20, settings.MaxPendingReplyBytes);
        Assert.Equal((1L << 20, 10L, TimeSpan.FromDays(1), 64, 0),
            (settings.Log.SegmentBytes, settings.Log.SegmentMessages, settings.Log.SegmentAge, settings.Log.IndexIntervalBytes, settings.Log.PreallocateBytes));
        Assert.Equal(new RetentionPolicy(TimeSpan.FromHours(1), 1L << 30), settings.Log.Retention);
        Assert.Equal(TimeSpan.FromMinutes(1), settings.RetentionCheckInterval);
        Assert.Equal(new FlushPolicy(FlushMode.Interval, TimeSpan.FromMilliseconds(250)), settings.Flush);
        Assert.Equal(1, settings.SyncThreads);
        Assert.Equal((2 << 20, 64 << 10, 50, 8),
            (settings.MaxLineBytes, settings.MaxMessageBytes, settings.MaxBatchMessages, settings.MaxInFlightPerConnection));
        Assert.Equal((5, 6, 128 << 10, 4 << 20, TimeSpan.FromSeconds(5)),
            (settings.SeedFetchMaxMessages, settings.DefaultFetchMaxMessages, settings.DefaultFetchMaxBytes, settings.MaxFetchBytes, settings.MaxFetchWait));
    }

    [Fact]
    public void A_key_missing_from_the_configuration_is_a_programming_error_that_names_it()
    {
        // what happens if golog.hocon lost a key: nothing else in the code would supply a value
        var error = Assert.Throws<InvalidOperationException>(() => BrokerSettings.From(ConfigurationFactory.ParseString("golog.host = localhost")));
        Assert.StartsWith("golog.port is missing from the configuration", error.Message);
        Assert.Contains("hocon/golog.hocon", error.Message);
    }

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
    [InlineData("golog.topics.overrides { \"bad name\" { retention.ms = 1h } }", "bad name")]
    [InlineData("golog.retention.ms = 0", "golog.retention.ms must be > 0")]
    [InlineData("golog.retention.bytes = 0", "golog.retention.bytes must be > 0")]
    [InlineData("golog.segment.bytes = 2GiB", "below 2GiB")]
    [InlineData("golog.segment.preallocate-bytes = 2GiB", "golog.segment.preallocate-bytes must be between 0 and 1GiB, got 2147483648")]
    public void Settings_that_would_do_nothing_or_break_the_log_are_refused_at_start(string hocon, string expected)
    {
        var error = Assert.Throws<ArgumentException>(() => Parse(hocon));
        Assert.Contains(expected, error.Message);
    }
}
