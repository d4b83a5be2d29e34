using System.Collections.Immutable;
using Golog.Core;

namespace Golog.Cluster;

/// <summary>
/// The controller's decisions, as plain functions of the metadata and the nodes that are up and reachable: where a
/// new topic's replicas go, who leads after a node is lost or comes back, which ISR changes a leader may have.
/// Kafka's rules: a leader only from the ISR (no unclean election) and a new leader epoch for every new leader. A
/// lost follower stays in the ISR until its leader asks to drop it (lagging past replica-lag-time-max) and the
/// controller grants that in a majority write: an ISR that shrank on the controller's word alone could let a
/// leader count fewer copies than the metadata a majority holds (a controller cut off with part of the cluster
/// applies its own writes before they fail).
/// </summary>
public static class LeaderElection
{
    /// <summary>
    /// Replicas for a new topic's partitions over <paramref name="nodes"/>: consecutive nodes from a start that moves
    /// with the partition (and the topic count), so that leaders spread over the nodes.
    /// </summary>
    public static TopicAssignment Assign(IReadOnlyList<int> nodes, int partitions, int replicationFactor, int minInsync, int firstPartitionOffset,
        int fromPartition = 0, IReadOnlyList<PartitionAssignment>? existing = null)
    {
        var sorted = nodes.Order().ToList();
        int rf = Math.Min(replicationFactor, sorted.Count);
        var list = existing?.ToList() ?? [];
        for (int p = fromPartition; p < partitions; p++)
        {
            var replicas = Enumerable.Range(0, rf).Select(i => sorted[(firstPartitionOffset + p + i) % sorted.Count]).ToList();
            list.Add(new PartitionAssignment(replicas, replicas[0], 0, replicas));
        }
        return new TopicAssignment(list, Math.Min(minInsync, rf));
    }

    /// <summary>
    /// Every partition's leadership given the <paramref name="live"/> nodes: a leader that is lost gives way to the
    /// first live ISR member (epoch + 1, the lost leader leaving the ISR) or, if none, to nobody (epoch + 1: the old
    /// leader is fenced either way); a partition without a leader gets the first ISR member that is back.
    /// </summary>
    public static ImmutableSortedDictionary<string, TopicAssignment> Reelect(ImmutableSortedDictionary<string, TopicAssignment> topics, IReadOnlySet<int> live)
    {
        var result = topics;
        foreach (var (name, topic) in topics)
        {
            var partitions = topic.Partitions.Select(p => Reelect(p, live)).ToList();
            if (!partitions.SequenceEqual(topic.Partitions)) result = result.SetItem(name, topic with { Partitions = partitions });
        }
        return result;
    }

    public static PartitionAssignment Reelect(PartitionAssignment p, IReadOnlySet<int> live)
    {
        if (p.Leader != PartitionLeadership.NoLeader && live.Contains(p.Leader)) return p;
        var candidate = p.Isr.Where(live.Contains).Cast<int?>().FirstOrDefault();
        if (candidate is { } leader)
            return p with { Leader = leader, Epoch = p.Epoch + 1, Isr = p.Isr.Where(r => r == leader || live.Contains(r)).ToList() };
        // nobody in sync is reachable: no leader until one is back (unclean election is off)
        return p.Leader == PartitionLeadership.NoLeader ? p : p with { Leader = PartitionLeadership.NoLeader, Epoch = p.Epoch + 1 };
    }

    /// <summary>Why a leader's ISR change cannot be granted; null when it can (asked by the leader, in its epoch, keeping it in).</summary>
    public static string? CheckIsrChange(PartitionAssignment p, int leader, int epoch, IReadOnlyList<int> isr)
    {
        if (p.Leader != leader || p.Epoch != epoch) return $"node {leader} in epoch {epoch} does not lead (node {p.Leader} does, epoch {p.Epoch})";
        if (!isr.Contains(leader)) return "the leader must stay in its ISR";
        if (isr.Distinct().Count() != isr.Count) return "the ISR names a replica twice";
        if (isr.Any(r => !p.Replicas.Contains(r))) return "the ISR may only hold replicas";
        return null;
    }
}
