using Akka.Configuration;

namespace Golog.Core;

/// <summary>
/// golog.cluster and the topics' replication defaults. <see cref="Enabled"/> only with a node id: without one the
/// broker is the single node it always was, and opens no port for other nodes.
/// </summary>
public sealed record ClusterSettings(int NodeId, string Host, int Port, IReadOnlyList<(string Host, int Port)> SeedNodes,
    TimeSpan ReplicaLagTimeMax, TimeSpan AckTimeout, TimeSpan FailureTimeout, TimeSpan DownAfter, int DefaultReplicationFactor, int DefaultMinInsyncReplicas)
{
    public bool Enabled => NodeId > 0;

    /// <summary>The min.insync.replicas of a topic with <paramref name="replicationFactor"/> copies when it names none.</summary>
    public int MinInsyncFor(int replicationFactor) =>
        DefaultMinInsyncReplicas > 0 ? Math.Min(DefaultMinInsyncReplicas, replicationFactor) : replicationFactor >= 3 ? 2 : 1;

    internal static ClusterSettings From(Config golog)
    {
        int nodeId = golog.Int("cluster.node-id");
        if (nodeId < 0) throw new ArgumentException($"golog.cluster.node-id must be >= 0 (0 = one node, no cluster), got {nodeId}");
        int port = golog.Int("cluster.port");
        if (port is < 0 or > 65535) throw new ArgumentException($"golog.cluster.port must be a port number (0 = any free port), got {port}");
        int rf = golog.Int("topics.default-replication-factor");
        if (rf < 1) throw new ArgumentException($"golog.topics.default-replication-factor must be >= 1, got {rf}");
        int minIsr = golog.Int("topics.default-min-insync-replicas");
        if (minIsr < 0) throw new ArgumentException($"golog.topics.default-min-insync-replicas must be >= 0 (0 = 2 for 3 or more replicas, else 1), got {minIsr}");
        return new ClusterSettings(nodeId, golog.String("cluster.host"), port, ParseSeeds(golog.String("cluster.seed-nodes")),
            Positive(golog.Duration("cluster.replica-lag-time-max"), "cluster.replica-lag-time-max"),
            Positive(golog.Duration("cluster.ack-timeout"), "cluster.ack-timeout"),
            Positive(golog.Duration("cluster.failure-timeout"), "cluster.failure-timeout"),
            Positive(golog.Duration("cluster.down-after"), "cluster.down-after"), rf, minIsr);
    }

    /// <summary>"host:port,host:port" as golog.cluster.seed-nodes and --seed-nodes spell it.</summary>
    public static IReadOnlyList<(string Host, int Port)> ParseSeeds(string text) => text
        .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
        .Select(seed =>
        {
            int colon = seed.LastIndexOf(':');
            if (colon <= 0 || !int.TryParse(seed[(colon + 1)..], out int p) || p is < 1 or > 65535)
                throw new ArgumentException($"golog.cluster.seed-nodes: \"{seed}\" is not host:port (for example 127.0.0.1:2551)");
            return (seed[..colon], p);
        })
        .ToList();

    private static TimeSpan Positive(TimeSpan value, string key) =>
        value > TimeSpan.Zero ? value : throw new ArgumentException($"golog.{key} must be > 0, got {value}");
}
