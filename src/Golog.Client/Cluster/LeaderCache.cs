using Golog.Protocol;

namespace Golog.Client;

/// <summary>
/// Where each partition's leader is, as the last metadata replies said, corrected by not_leader hints. A broker
/// from before replication lists no leaders: it leads every partition of what it answered about. Thread-safe.
/// </summary>
internal sealed class LeaderCache
{
    private readonly Dictionary<string, TopicLeaders> _topics = [];
    private readonly Dictionary<int, BrokerAddress> _nodes = [];

    private sealed record TopicLeaders(BrokerAddress?[] Leaders);

    /// <summary>The addresses of every node metadata has named, for asking metadata when the bootstrap brokers are gone.</summary>
    public IReadOnlyList<BrokerAddress> KnownNodes { get { lock (_topics) return [.. _nodes.Values]; } }

    public void Update(ClusterMetadata metadata, BrokerAddress answeredBy)
    {
        lock (_topics)
        {
            foreach (var b in metadata.Brokers ?? []) _nodes[b.NodeId] = new BrokerAddress(b.Host, b.Port);
            foreach (var t in metadata.Topics)
            {
                var leaders = new BrokerAddress?[t.Partitions.Count == 0 ? 0 : t.Partitions.Max(p => p.Partition) + 1];
                foreach (var p in t.Partitions)
                    leaders[p.Partition] = metadata.Brokers is null ? answeredBy
                        : p.Leader is { } id && _nodes.TryGetValue(id, out var address) ? address : null;
                _topics[t.Name] = new TopicLeaders(leaders);
            }
        }
    }

    /// <summary>The topic's partition count; null when metadata has not described the topic (yet).</summary>
    public int? PartitionCount(string topic)
    {
        lock (_topics) return _topics.TryGetValue(topic, out var t) ? t.Leaders.Length : null;
    }

    /// <summary>
    /// Known: the leader's address, or null while the partition has none (an election). Unknown topic or partition:
    /// false, and metadata must be asked.
    /// </summary>
    public bool TryGetLeader(string topic, int partition, out BrokerAddress? leader)
    {
        lock (_topics)
        {
            leader = null;
            if (!_topics.TryGetValue(topic, out var t) || partition >= t.Leaders.Length) return false;
            leader = t.Leaders[partition];
            return true;
        }
    }

    /// <summary>A not_leader hint: the partition's leader is now <paramref name="hint"/>.</summary>
    public void Follow(string topic, int partition, NodeAddress hint)
    {
        lock (_topics)
        {
            var address = new BrokerAddress(hint.Host, hint.Port);
            _nodes[hint.NodeId] = address;
            if (_topics.TryGetValue(topic, out var t) && partition < t.Leaders.Length) t.Leaders[partition] = address;
        }
    }

    /// <summary>What is known of the topic is stale (a not_leader without a hint, a lost leader): ask metadata again.</summary>
    public void Forget(string topic)
    {
        lock (_topics) _topics.Remove(topic);
    }
}
