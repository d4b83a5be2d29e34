using Akka.Actor;

namespace Golog.Core.Replication;

// Messages of Kafka's replication model between a partition's leader and its followers, and from the cluster's
// metadata to the partition actors. The core defines them and the partition actor acts on them; how they travel
// between nodes (Akka.Remote) and who decides the roles (the controller) is the cluster's business.

/// <summary>
/// This node leads the partition in <see cref="Epoch"/>, with <see cref="Isr"/> in sync. Sent again with the same
/// epoch when only the ISR changed. <see cref="IsrChanges"/> takes the leader's <see cref="IsrChangeRequest"/>s.
/// </summary>
public sealed record BecomeLeader(int Epoch, IReadOnlyList<int> Replicas, IReadOnlyList<int> Isr, int MinInsyncReplicas, IActorRef IsrChanges);

/// <summary>This node follows <see cref="Leader"/> in <see cref="Epoch"/>: it takes no produce or fetch, only its leader's batches.</summary>
public sealed record BecomeFollower(int Leader, int Epoch);

/// <summary>
/// A follower's fetch (Kafka's replica fetch): the follower's log end as <see cref="FetchOffset"/>, the epoch of its
/// last batch (for the leader's divergence check, as in KIP-320/KIP-595) and how far its copy is durable, which is
/// what the leader's high watermark counts. Answered <see cref="ReplicaData"/>, <see cref="ReplicaDiverging"/> or
/// <see cref="ReplicaRefused"/>.
/// </summary>
public sealed record ReplicaFetch(string Topic, int Partition, int FollowerId, int Epoch, long FetchOffset, int LastFetchedEpoch,
    long FollowerFlushed, int MaxBytes);

/// <summary>The leader's batches from the fetch offset (possibly none after a wait), with its high watermark and log start.</summary>
public sealed record ReplicaData(int Epoch, long HighWatermark, long LogStartOffset, ReadOnlyMemory<byte> Batches);

/// <summary>The follower's log diverges from the leader's: it must cut its log at <see cref="EndOffset"/> (where the leader's <see cref="DivergingEpoch"/> ends) and fetch again.</summary>
public sealed record ReplicaDiverging(int Epoch, int DivergingEpoch, long EndOffset);

/// <summary>The leader cannot serve the fetch: it no longer leads, or the epochs disagree (someone's metadata is stale).</summary>
public sealed record ReplicaRefused(string Reason);

/// <summary>
/// To the follower's own partition: append the leader's batches. Answered <see cref="ReplicaPosition"/> once they are
/// appended (the fetcher fetches on at once), and <see cref="ReplicaDurable"/> once the sync covering them is done.
/// </summary>
public sealed record AppendReplicaData(int Epoch, ReadOnlyMemory<byte> Batches, long LeaderHighWatermark);

/// <summary>
/// To the follower's own partition: the leader says its <see cref="DivergingEpoch"/> ends at
/// <see cref="LeaderEndOffset"/>; cut the tail where the two logs part (answered <see cref="ReplicaPosition"/>).
/// </summary>
public sealed record TruncateReplica(int Epoch, int DivergingEpoch, long LeaderEndOffset);

/// <summary>To the follower's own partition: where its copy stands (answered <see cref="ReplicaPosition"/>).</summary>
public sealed record ReplicaPositionQuery
{
    public static readonly ReplicaPositionQuery Instance = new();
}

/// <summary>
/// A follower's copy: log end, durable end, the epoch of its last batch and, for divergence, the end of any epoch
/// it is asked about. <see cref="Epoch"/> is the epoch it follows in; a fetcher of an older epoch stops.
/// </summary>
public sealed record ReplicaPosition(int Epoch, long LogEnd, long Flushed, int LatestEpoch);

/// <summary>From the follower's partition to its fetcher: its copy is durable up to <see cref="Flushed"/>.</summary>
public sealed record ReplicaDurable(int Epoch, long Flushed);

/// <summary>
/// From a follower's fetcher to the leader, outside the fetch loop: its copy is now durable up to
/// <see cref="Flushed"/>, which may let the high watermark, and so acks=all produces, move on without waiting for the
/// follower's next fetch (parked at the leader's log end while no new batches come).
/// </summary>
public sealed record ReplicaProgress(string Topic, int Partition, int FollowerId, int Epoch, long Flushed);

/// <summary>
/// The controller to the leader that asked: its ISR change is in the metadata a majority holds. Only then does a
/// leader count an ISR without a member (KIP-497's rule); a shrink it merely sees in the metadata may be one a
/// controller cut off from the majority applied locally before its write failed.
/// </summary>
public sealed record IsrChangeGranted(string Topic, int Partition, int Epoch, IReadOnlyList<int> Isr);

/// <summary>A leader asks the controller to change its partition's ISR (Kafka's AlterPartition): granted only in the epoch it leads.</summary>
public sealed record IsrChangeRequest(string Topic, int Partition, int Leader, int Epoch, IReadOnlyList<int> Isr);

/// <summary>
/// To the topic manager, once at start on a cluster node: topics are created and grown by the cluster's controller,
/// so those commands (and auto-creation) go to <see cref="Authority"/>, which answers them once this node has the
/// partitions (<see cref="EnsureTopics"/>).
/// </summary>
public sealed record UseTopicAuthority(IActorRef Authority);

/// <summary>
/// To the topic manager, from the cluster's metadata: every node holds an actor for every partition (a partition
/// this node does not replicate stays unassigned and answers not_leader), so that it can name any partition's
/// leader. Answered <see cref="TopicsEnsured"/>.
/// </summary>
public sealed record EnsureTopics(IReadOnlyList<(string Topic, int Partitions)> Topics);

public sealed record TopicsEnsured
{
    public static readonly TopicsEnsured Instance = new();
}
