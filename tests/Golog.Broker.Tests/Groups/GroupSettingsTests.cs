using Golog.Core;
using Akka.Configuration;

namespace Golog.Broker.Tests.Groups;

/// <summary>golog.groups.* as shipped in hocon/golog.hocon and as overridden.</summary>
public class GroupSettingsTests
{
    private static BrokerSettings With(string overrides) =>
        BrokerSettings.From(ConfigurationFactory.ParseString(overrides).WithFallback(BrokerSpec.TestConfig()));

    [Fact]
    public void The_shipped_defaults_are_range_with_1s_heartbeats_and_10s_sessions()
    {
        var settings = With("");
        Assert.Equal("range", settings.AssignmentStrategy);
        Assert.Equal(TimeSpan.FromSeconds(1), settings.Groups.HeartbeatInterval);
        Assert.Equal(TimeSpan.FromSeconds(10), settings.Groups.DefaultSessionTimeout);
        Assert.Equal(TimeSpan.FromSeconds(1), settings.Groups.MinSessionTimeout);
        Assert.Equal(TimeSpan.FromMinutes(5), settings.Groups.MaxSessionTimeout);
    }

    [Fact]
    public void Round_robin_and_other_timeouts_can_be_configured()
    {
        var settings = With("golog.groups { assignment-strategy = roundrobin, session-timeout = 3s, heartbeat-interval = 250ms }");
        Assert.Equal("round-robin", settings.AssignmentStrategy);
        Assert.Equal(TimeSpan.FromSeconds(3), settings.Groups.DefaultSessionTimeout);
        Assert.Equal(TimeSpan.FromMilliseconds(250), settings.Groups.HeartbeatInterval);
    }

    [Theory]
    [InlineData("golog.groups.assignment-strategy = sticky", "unknown assignment strategy \"sticky\"")]
    [InlineData("golog.groups.session-timeout = 10m", "must lie between")]
    [InlineData("golog.groups.heartbeat-interval = 0s", "golog.groups.heartbeat-interval must be > 0")]
    public void Bad_group_settings_stop_the_broker_at_start_with_a_clear_message(string overrides, string message)
    {
        var e = Assert.Throws<ArgumentException>(() => With(overrides));
        Assert.Contains(message, e.Message);
    }
}
