using Akka.Configuration;
using Akka.Configuration.Hocon;
using Golog.Core.Groups;
using Golog.Storage;

namespace Golog.Core;

/// <summary>Where the HTTP door listens, if at all; port 0 binds any free port.</summary>
public sealed record HttpDoorSettings(bool Enabled, string Host, int Port);

/// <summary>The effective broker configuration, read once from the "golog" HOCON block.</summary>
public sealed record BrokerSettings
{
    // No defaults here: every value comes from the configuration, whose defaults are hocon/golog.hocon's.
    public required string Host { get; init; }
    public required int Port { get; init; }
    public required string StorageDirectory { get; init; }
    /// <summary>Where the started broker writes its doors' ports (golog.ports-file); null when not asked to.</summary>
    public required string? PortsFile { get; init; }
    public required bool AutoCreateTopics { get; init; }
    public required int DefaultPartitions { get; init; }
    public required int MaxPartitionsPerTopic { get; init; }
    public required int MaxTopics { get; init; }
    public required int MaxConnections { get; init; }
    public required TimeSpan IdleTimeout { get; init; }
    public required TimeSpan WriteTimeout { get; init; }
    public required TimeSpan PartialLineTimeout { get; init; }
    public required int MaxPendingReplyBytes { get; init; }
    /// <summary>Segment and retention settings of every topic without an entry in <see cref="TopicLogs"/>.</summary>
    public required LogConfig Log { get; init; }
    /// <summary>Per-topic overrides (golog.topics.overrides."name"), each already merged over the broker defaults.</summary>
    public required IReadOnlyDictionary<string, LogConfig> TopicLogs { get; init; }
    /// <summary>How often each partition looks for segments that retention lets go.</summary>
    public required TimeSpan RetentionCheckInterval { get; init; }
    public required FlushPolicy Flush { get; init; }
    public required int SyncThreads { get; init; }
    public required int MaxLineBytes { get; init; }
    public required int MaxMessageBytes { get; init; }
    public required int MaxBatchMessages { get; init; }
    public required int MaxInFlightPerConnection { get; init; }
    public required int SeedFetchMaxMessages { get; init; }
    public required int DefaultFetchMaxMessages { get; init; }
    public required int DefaultFetchMaxBytes { get; init; }
    public required int MaxFetchBytes { get; init; }
    public required TimeSpan MaxFetchWait { get; init; }
    public required string AssignmentStrategy { get; init; }
    public required GroupRules Groups { get; init; }
    /// <summary>golog.groups.offsets-topic-partitions: how many partitions a cluster's <see cref="OffsetsTopic"/> is created with.</summary>
    public required int OffsetsTopicPartitions { get; init; }
    /// <summary>The HTTP door (golog.http): metrics, admin API and web console.</summary>
    public required HttpDoorSettings Http { get; init; }
    /// <summary>golog.cluster: replication across nodes, off (one node) unless a node id is set.</summary>
    public required ClusterSettings Cluster { get; init; }

    public static BrokerSettings From(Config root)
    {
        var c = root.GetConfig("golog") ?? throw new ArgumentException("missing \"golog\" configuration block");
        return new BrokerSettings
        {
            Host = c.String("host"),
            Port = c.Int("port"),
            StorageDirectory = Path.GetFullPath(c.String("storage")),
            PortsFile = c.String("ports-file") is { Length: > 0 } portsFile ? Path.GetFullPath(portsFile) : null,
            AutoCreateTopics = c.Boolean("topics.auto-create"),
            DefaultPartitions = Positive(c.Int("topics.default-partitions"), "topics.default-partitions"),
            MaxPartitionsPerTopic = Positive(c.Int("topics.max-partitions-per-topic"), "topics.max-partitions-per-topic"),
            MaxTopics = Positive(c.Int("topics.max"), "topics.max"),
            MaxConnections = Positive(c.Int("connections.max"), "connections.max"),
            IdleTimeout = Positive(c.Duration("connections.idle-timeout"), "connections.idle-timeout"),
            WriteTimeout = Positive(c.Duration("connections.write-timeout"), "connections.write-timeout"),
            PartialLineTimeout = Positive(c.Duration("connections.partial-line-timeout"), "connections.partial-line-timeout"),
            MaxPendingReplyBytes = (int)Positive(c.Bytes("connections.max-pending-reply-bytes"), "connections.max-pending-reply-bytes"),
            Log = ParseLog(c, ""),
            TopicLogs = ParseTopicOverrides(c),
            RetentionCheckInterval = Positive(c.Duration("retention.check-interval"), "retention.check-interval"),
            Flush = FlushPolicy.Parse(c.String("flush.policy"), c.Duration("flush.interval")),
            SyncThreads = Positive(c.Int("flush.sync-threads"), "flush.sync-threads"),
            MaxLineBytes = (int)Positive(c.Bytes("request.max-line-bytes"), "request.max-line-bytes"),
            MaxMessageBytes = (int)Positive(c.Bytes("request.max-message-bytes"), "request.max-message-bytes"),
            MaxBatchMessages = Positive(c.Int("request.max-batch-messages"), "request.max-batch-messages"),
            MaxInFlightPerConnection = Positive(c.Int("request.max-in-flight"), "request.max-in-flight"),
            SeedFetchMaxMessages = Positive(c.Int("fetch.seed-max-messages"), "fetch.seed-max-messages"),
            DefaultFetchMaxMessages = Positive(c.Int("fetch.default-max-messages"), "fetch.default-max-messages"),
            DefaultFetchMaxBytes = (int)Positive(c.Bytes("fetch.default-max-bytes"), "fetch.default-max-bytes"),
            MaxFetchBytes = (int)Positive(c.Bytes("fetch.max-bytes"), "fetch.max-bytes"),
            MaxFetchWait = c.Duration("fetch.max-wait"),
            AssignmentStrategy = PartitionAssignor.Named(c.String("groups.assignment-strategy")).Name,
            Groups = GroupRulesFrom(c),
            OffsetsTopicPartitions = Positive(c.Int("groups.offsets-topic-partitions"), "groups.offsets-topic-partitions"),
            Http = new HttpDoorSettings(c.Boolean("http.enabled"), c.String("http.host"), PortNumber(c.Int("http.port"), "http.port")),
            Cluster = ClusterSettings.From(c),
        };
    }

    /// <summary>
    /// A topic's segment and retention settings. <see cref="OffsetsTopic"/> is never cut by retention unless an override
    /// says so: its records are the groups' committed offsets, and a commit older than retention.ms is still the group's
    /// latest (Kafka compacts the topic; Golog keeps it whole).
    /// </summary>
    public LogConfig LogFor(string topic) =>
        TopicLogs.TryGetValue(topic, out var own) ? own
        : topic == OffsetsTopic.Name ? Log with { Retention = RetentionPolicy.KeepForever }
        : Log;

    /// <summary>The segment.* and retention.* keys of <paramref name="c"/>; <paramref name="where"/> names an override in errors.</summary>
    private static LogConfig ParseLog(Config c, string where)
    {
        long segmentMessages = c.Long("segment.messages");
        long segmentBytes = Positive(c.Bytes("segment.bytes"), where + "segment.bytes");
        // index entries hold 32-bit file positions (as Kafka's do), so a segment cannot pass 2 GiB
        if (segmentBytes > int.MaxValue) throw new ArgumentException($"golog.{where}segment.bytes must be below 2GiB, got {segmentBytes}");
        return new LogConfig
        {
            SegmentBytes = segmentBytes,
            SegmentMessages = segmentMessages <= 0 ? long.MaxValue : segmentMessages,
            SegmentAge = c.Duration("segment.age"),
            IndexIntervalBytes = Positive(c.Int("segment.index-interval-bytes"), where + "segment.index-interval-bytes"),
            PreallocateBytes = PreallocateBytes(c, where),
            Retention = new RetentionPolicy(RetentionAge(c, where), RetentionBytes(c, where)),
        };
    }

    /// <summary>segment.preallocate-bytes: a size from 0 (off) to 1GiB.</summary>
    private static int PreallocateBytes(Config c, string where)
    {
        long bytes = c.Bytes("segment.preallocate-bytes");
        if (bytes is < 0 or > 1024 * 1024 * 1024)
            throw new ArgumentException($"golog.{where}segment.preallocate-bytes must be between 0 and 1GiB, got {bytes}");
        return (int)bytes;
    }

    /// <summary>retention.ms: a duration ("7d", "12h") or milliseconds; "infinite" or -1 keeps segments forever.</summary>
    private static TimeSpan? RetentionAge(Config c, string where)
    {
        if (c.String("retention.ms") is "-1" or "infinite") return null;
        return Positive(c.Duration("retention.ms"), where + "retention.ms");
    }

    /// <summary>retention.bytes: a size per partition ("1GiB"); -1 means no size limit.</summary>
    private static long? RetentionBytes(Config c, string where)
    {
        if (c.String("retention.bytes") == "-1") return null;
        return Positive(c.Bytes("retention.bytes"), where + "retention.bytes");
    }

    /// <summary>
    /// golog.topics.overrides { "orders.v1" { retention.ms = 1h } }: each entry is read over the broker's own
    /// segment and retention settings, so it names only what differs. Other keys there would do nothing:
    /// <see cref="KnownSettings"/> refuses them before settings are read.
    /// </summary>
    private static Dictionary<string, LogConfig> ParseTopicOverrides(Config c)
    {
        var overrides = new Dictionary<string, LogConfig>(StringComparer.Ordinal);
        if (!c.HasPath("topics.overrides")) return overrides;
        foreach (var (topic, value) in c.GetValue("topics.overrides").GetObject().Items)
        {
            string where = $"topics.overrides.\"{topic}\".";
            if (!Names.IsValid(topic)) throw new ArgumentException($"golog.{where}: {Names.Explain("topic", topic)}");
            overrides[topic] = ParseLog(new Config(new HoconRoot(value)).WithFallback(c), where);
        }
        return overrides;
    }

    private static GroupRules GroupRulesFrom(Config c)
    {
        var rules = new GroupRules(
            Positive(c.Duration("groups.heartbeat-interval"), "groups.heartbeat-interval"),
            Positive(c.Duration("groups.session-timeout"), "groups.session-timeout"),
            Positive(c.Duration("groups.min-session-timeout"), "groups.min-session-timeout"),
            Positive(c.Duration("groups.max-session-timeout"), "groups.max-session-timeout"),
            NotNegative(c.Duration("groups.initial-rebalance-delay"), "groups.initial-rebalance-delay"));
        if (rules.DefaultSessionTimeout < rules.MinSessionTimeout || rules.DefaultSessionTimeout > rules.MaxSessionTimeout)
            throw new ArgumentException("golog.groups.session-timeout must lie between groups.min-session-timeout and groups.max-session-timeout");
        return rules;
    }

    private static TimeSpan NotNegative(TimeSpan value, string key) =>
        value >= TimeSpan.Zero ? value : throw new ArgumentException($"golog.{key} must be >= 0, got {value}");

    private static int PortNumber(int value, string key) =>
        value is >= 0 and <= 65535 ? value : throw new ArgumentException($"golog.{key} must be a port number (0 = any free port), got {value}");

    private static TimeSpan Positive(TimeSpan value, string key) =>
        value > TimeSpan.Zero ? value : throw new ArgumentException($"golog.{key} must be > 0, got {value}");

    private static T Positive<T>(T value, string key) where T : System.Numerics.INumber<T> =>
        value > T.Zero ? value : throw new ArgumentException($"golog.{key} must be > 0, got {value}");
}
