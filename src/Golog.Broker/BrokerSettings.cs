using Akka.Configuration;
using Golog.Broker.Groups;
using Golog.Storage;

namespace Golog.Broker;

/// <summary>The effective broker configuration, read once from the "golog" HOCON block.</summary>
public sealed record BrokerSettings
{
    public string Host { get; init; } = "localhost";
    public int Port { get; init; } = 9092;
    public string StorageDirectory { get; init; } = "storage";
    public bool AutoCreateTopics { get; init; } = true;
    public int DefaultPartitions { get; init; } = 1;
    public int MaxPartitionsPerTopic { get; init; } = 1024;
    public LogConfig Log { get; init; } = new();
    public FlushPolicy Flush { get; init; } = FlushPolicy.Always;
    public int SyncThreads { get; init; } = 2;
    public int MaxLineBytes { get; init; } = 16 * 1024 * 1024;
    public int MaxMessageBytes { get; init; } = 1024 * 1024;
    public int MaxBatchMessages { get; init; } = 100_000;
    public int MaxInFlightPerConnection { get; init; } = 1024;
    public int SeedFetchMaxMessages { get; init; } = 1000;
    public int DefaultFetchMaxMessages { get; init; } = 1000;
    public int DefaultFetchMaxBytes { get; init; } = 1024 * 1024;
    public TimeSpan MaxFetchWait { get; init; } = TimeSpan.FromSeconds(30);
    public string AssignmentStrategy { get; init; } = "range";
    public GroupRules Groups { get; init; } = new(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(5));

    public static BrokerSettings From(Config root)
    {
        var c = root.GetConfig("golog") ?? throw new ArgumentException("missing \"golog\" configuration block");
        long segmentMessages = c.GetLong("segment.messages", 0);
        return new BrokerSettings
        {
            Host = c.GetString("host", "localhost"),
            Port = c.GetInt("port", 9092),
            StorageDirectory = Path.GetFullPath(c.GetString("storage", "storage")),
            AutoCreateTopics = c.GetBoolean("topics.auto-create", true),
            DefaultPartitions = Positive(c.GetInt("topics.default-partitions", 1), "topics.default-partitions"),
            MaxPartitionsPerTopic = Positive(c.GetInt("topics.max-partitions-per-topic", 1024), "topics.max-partitions-per-topic"),
            Log = new LogConfig
            {
                SegmentBytes = Positive(c.GetByteSize("segment.bytes") ?? 128L * 1024 * 1024, "segment.bytes"),
                SegmentMessages = segmentMessages <= 0 ? long.MaxValue : segmentMessages,
                SegmentAge = c.GetTimeSpan("segment.age", TimeSpan.FromDays(7)),
                IndexIntervalBytes = Positive(c.GetInt("segment.index-interval-bytes", 4096), "segment.index-interval-bytes"),
            },
            Flush = FlushPolicy.Parse(c.GetString("flush.policy", "always"), c.GetTimeSpan("flush.interval", TimeSpan.FromSeconds(1))),
            SyncThreads = Positive(c.GetInt("flush.sync-threads", 2), "flush.sync-threads"),
            MaxLineBytes = (int)Positive(c.GetByteSize("request.max-line-bytes") ?? 16 * 1024 * 1024, "request.max-line-bytes"),
            MaxMessageBytes = (int)Positive(c.GetByteSize("request.max-message-bytes") ?? 1024 * 1024, "request.max-message-bytes"),
            MaxBatchMessages = Positive(c.GetInt("request.max-batch-messages", 100_000), "request.max-batch-messages"),
            MaxInFlightPerConnection = Positive(c.GetInt("request.max-in-flight", 1024), "request.max-in-flight"),
            SeedFetchMaxMessages = Positive(c.GetInt("fetch.seed-max-messages", 1000), "fetch.seed-max-messages"),
            DefaultFetchMaxMessages = Positive(c.GetInt("fetch.default-max-messages", 1000), "fetch.default-max-messages"),
            DefaultFetchMaxBytes = (int)Positive(c.GetByteSize("fetch.default-max-bytes") ?? 1024 * 1024, "fetch.default-max-bytes"),
            MaxFetchWait = c.GetTimeSpan("fetch.max-wait", TimeSpan.FromSeconds(30)),
            AssignmentStrategy = PartitionAssignor.Named(c.GetString("groups.assignment-strategy", "range")).Name,
            Groups = GroupRulesFrom(c),
        };
    }

    private static GroupRules GroupRulesFrom(Config c)
    {
        var rules = new GroupRules(
            Positive(c.GetTimeSpan("groups.heartbeat-interval", TimeSpan.FromSeconds(1)), "groups.heartbeat-interval"),
            Positive(c.GetTimeSpan("groups.session-timeout", TimeSpan.FromSeconds(10)), "groups.session-timeout"),
            Positive(c.GetTimeSpan("groups.min-session-timeout", TimeSpan.FromSeconds(1)), "groups.min-session-timeout"),
            Positive(c.GetTimeSpan("groups.max-session-timeout", TimeSpan.FromMinutes(5)), "groups.max-session-timeout"));
        if (rules.DefaultSessionTimeout < rules.MinSessionTimeout || rules.DefaultSessionTimeout > rules.MaxSessionTimeout)
            throw new ArgumentException("golog.groups.session-timeout must lie between groups.min-session-timeout and groups.max-session-timeout");
        return rules;
    }

    private static TimeSpan Positive(TimeSpan value, string key) =>
        value > TimeSpan.Zero ? value : throw new ArgumentException($"golog.{key} must be > 0, got {value}");

    private static T Positive<T>(T value, string key) where T : System.Numerics.INumber<T> =>
        value > T.Zero ? value : throw new ArgumentException($"golog.{key} must be > 0, got {value}");
}
