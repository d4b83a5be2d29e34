using Akka.Configuration;
using Akka.Configuration.Hocon;
using Golog.Core.Groups;
using Golog.Storage;

namespace Golog.Core;

/// <summary>The effective broker configuration, read once from the "golog" HOCON block.</summary>
public sealed record BrokerSettings
{
    public string Host { get; init; } = "localhost";
    public int Port { get; init; } = 9092;
    public string StorageDirectory { get; init; } = "storage";
    public bool AutoCreateTopics { get; init; } = true;
    public int DefaultPartitions { get; init; } = 1;
    public int MaxPartitionsPerTopic { get; init; } = 1024;
    public int MaxTopics { get; init; } = 10_000;
    public int MaxConnections { get; init; } = 10_000;
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromHours(1);
    public TimeSpan WriteTimeout { get; init; } = TimeSpan.FromSeconds(30);
    public TimeSpan PartialLineTimeout { get; init; } = TimeSpan.FromSeconds(30);
    public int MaxPendingReplyBytes { get; init; } = 8 * 1024 * 1024;
    /// <summary>Segment and retention settings of every topic without an entry in <see cref="TopicLogs"/>.</summary>
    public LogConfig Log { get; init; } = new();
    /// <summary>Per-topic overrides (golog.topics.overrides."name"), each already merged over the broker defaults.</summary>
    public IReadOnlyDictionary<string, LogConfig> TopicLogs { get; init; } = new Dictionary<string, LogConfig>();
    /// <summary>How often each partition looks for segments that retention lets go.</summary>
    public TimeSpan RetentionCheckInterval { get; init; } = TimeSpan.FromMinutes(5);
    public FlushPolicy Flush { get; init; } = FlushPolicy.Always;
    public int SyncThreads { get; init; } = 2;
    public int MaxLineBytes { get; init; } = 16 * 1024 * 1024;
    public int MaxMessageBytes { get; init; } = 1024 * 1024;
    public int MaxBatchMessages { get; init; } = 100_000;
    public int MaxInFlightPerConnection { get; init; } = 1024;
    public int SeedFetchMaxMessages { get; init; } = 1000;
    public int DefaultFetchMaxMessages { get; init; } = 1000;
    public int DefaultFetchMaxBytes { get; init; } = 1024 * 1024;
    public int MaxFetchBytes { get; init; } = 8 * 1024 * 1024;
    public TimeSpan MaxFetchWait { get; init; } = TimeSpan.FromSeconds(30);
    public string AssignmentStrategy { get; init; } = "range";
    public GroupRules Groups { get; init; } = new(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(5));

    public static BrokerSettings From(Config root)
    {
        var c = root.GetConfig("golog") ?? throw new ArgumentException("missing \"golog\" configuration block");
        return new BrokerSettings
        {
            Host = c.GetString("host", "localhost"),
            Port = c.GetInt("port", 9092),
            StorageDirectory = Path.GetFullPath(c.GetString("storage", "storage")),
            AutoCreateTopics = c.GetBoolean("topics.auto-create", true),
            DefaultPartitions = Positive(c.GetInt("topics.default-partitions", 1), "topics.default-partitions"),
            MaxPartitionsPerTopic = Positive(c.GetInt("topics.max-partitions-per-topic", 1024), "topics.max-partitions-per-topic"),
            MaxTopics = Positive(c.GetInt("topics.max", 10_000), "topics.max"),
            MaxConnections = Positive(c.GetInt("connections.max", 10_000), "connections.max"),
            IdleTimeout = Positive(c.GetTimeSpan("connections.idle-timeout", TimeSpan.FromHours(1)), "connections.idle-timeout"),
            WriteTimeout = Positive(c.GetTimeSpan("connections.write-timeout", TimeSpan.FromSeconds(30)), "connections.write-timeout"),
            PartialLineTimeout = Positive(c.GetTimeSpan("connections.partial-line-timeout", TimeSpan.FromSeconds(30)), "connections.partial-line-timeout"),
            MaxPendingReplyBytes = (int)Positive(c.GetByteSize("connections.max-pending-reply-bytes") ?? 8 * 1024 * 1024, "connections.max-pending-reply-bytes"),
            Log = ParseLog(c, ""),
            TopicLogs = ParseTopicOverrides(c),
            RetentionCheckInterval = Positive(c.GetTimeSpan("retention.check-interval", TimeSpan.FromMinutes(5)), "retention.check-interval"),
            Flush = FlushPolicy.Parse(c.GetString("flush.policy", "always"), c.GetTimeSpan("flush.interval", TimeSpan.FromSeconds(1))),
            SyncThreads = Positive(c.GetInt("flush.sync-threads", 2), "flush.sync-threads"),
            MaxLineBytes = (int)Positive(c.GetByteSize("request.max-line-bytes") ?? 16 * 1024 * 1024, "request.max-line-bytes"),
            MaxMessageBytes = (int)Positive(c.GetByteSize("request.max-message-bytes") ?? 1024 * 1024, "request.max-message-bytes"),
            MaxBatchMessages = Positive(c.GetInt("request.max-batch-messages", 100_000), "request.max-batch-messages"),
            MaxInFlightPerConnection = Positive(c.GetInt("request.max-in-flight", 1024), "request.max-in-flight"),
            SeedFetchMaxMessages = Positive(c.GetInt("fetch.seed-max-messages", 1000), "fetch.seed-max-messages"),
            DefaultFetchMaxMessages = Positive(c.GetInt("fetch.default-max-messages", 1000), "fetch.default-max-messages"),
            DefaultFetchMaxBytes = (int)Positive(c.GetByteSize("fetch.default-max-bytes") ?? 1024 * 1024, "fetch.default-max-bytes"),
            MaxFetchBytes = (int)Positive(c.GetByteSize("fetch.max-bytes") ?? 8 * 1024 * 1024, "fetch.max-bytes"),
            MaxFetchWait = c.GetTimeSpan("fetch.max-wait", TimeSpan.FromSeconds(30)),
            AssignmentStrategy = PartitionAssignor.Named(c.GetString("groups.assignment-strategy", "range")).Name,
            Groups = GroupRulesFrom(c),
        };
    }

    public LogConfig LogFor(string topic) => TopicLogs.GetValueOrDefault(topic, Log);

    /// <summary>The segment.* and retention.* keys of <paramref name="c"/>; <paramref name="where"/> names an override in errors.</summary>
    private static LogConfig ParseLog(Config c, string where)
    {
        long segmentMessages = c.GetLong("segment.messages", 0);
        long segmentBytes = Positive(c.GetByteSize("segment.bytes") ?? 128L * 1024 * 1024, where + "segment.bytes");
        // index entries hold 32-bit file positions (as Kafka's do), so a segment cannot pass 2 GiB
        if (segmentBytes > int.MaxValue) throw new ArgumentException($"golog.{where}segment.bytes must be below 2GiB, got {segmentBytes}");
        return new LogConfig
        {
            SegmentBytes = segmentBytes,
            SegmentMessages = segmentMessages <= 0 ? long.MaxValue : segmentMessages,
            SegmentAge = c.GetTimeSpan("segment.age", TimeSpan.FromDays(7)),
            IndexIntervalBytes = Positive(c.GetInt("segment.index-interval-bytes", 4096), where + "segment.index-interval-bytes"),
            Retention = new RetentionPolicy(RetentionAge(c, where), RetentionBytes(c, where)),
        };
    }

    /// <summary>retention.ms: a duration ("7d", "12h") or milliseconds; "infinite" or -1 keeps segments forever.</summary>
    private static TimeSpan? RetentionAge(Config c, string where)
    {
        if (!c.HasPath("retention.ms") || c.GetString("retention.ms") is "-1" or "infinite") return null;
        return Positive(c.GetTimeSpan("retention.ms"), where + "retention.ms");
    }

    /// <summary>retention.bytes: a size per partition ("1GiB"); -1 means no size limit.</summary>
    private static long? RetentionBytes(Config c, string where)
    {
        if (!c.HasPath("retention.bytes") || c.GetString("retention.bytes") == "-1") return null;
        return Positive(c.GetByteSize("retention.bytes") ?? 0, where + "retention.bytes");
    }

    /// <summary>
    /// golog.topics.overrides { "orders.v1" { retention.ms = 1h } }: each entry is read over the broker's own
    /// segment and retention settings, so it names only what differs. Other keys there would do nothing: refused.
    /// </summary>
    private static Dictionary<string, LogConfig> ParseTopicOverrides(Config c)
    {
        var overrides = new Dictionary<string, LogConfig>(StringComparer.Ordinal);
        if (!c.HasPath("topics.overrides")) return overrides;
        foreach (var (topic, value) in c.GetValue("topics.overrides").GetObject().Items)
        {
            string where = $"topics.overrides.\"{topic}\".";
            if (!Names.IsValid(topic)) throw new ArgumentException($"golog.{where}: {Names.Explain("topic", topic)}");
            var own = new Config(new HoconRoot(value));
            var unknown = own.AsEnumerable().Select(kv => kv.Key).Where(k => k is not ("segment" or "retention")).ToList();
            if (unknown.Count > 0)
                throw new ArgumentException($"golog.{where}: only segment.* and retention.* can be set per topic, not {string.Join(", ", unknown)}");
            overrides[topic] = ParseLog(own.WithFallback(c), where);
        }
        return overrides;
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
