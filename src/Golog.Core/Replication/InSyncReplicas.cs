namespace Golog.Core.Replication;

/// <summary>
/// A leader's view of its followers (Kafka's replica manager state for one partition): how far each follower's copy
/// reaches and is durable, when it last caught up with the leader's log end, and from that the high watermark (the
/// smallest durable end over the ISR) and which followers should leave or rejoin the ISR. The ISR itself changes
/// only when the controller grants it (<see cref="IsrChangeRequest"/>): until then the high watermark keeps counting
/// a follower that is being dropped, so a shrink can never acknowledge what the old ISR had not. Plain; the
/// partition actor owns it.
/// </summary>
public sealed class InSyncReplicas
{
    private sealed class Follower
    {
        public long LogEnd = -1;
        public long Flushed = -1;
        public DateTime LastCaughtUp;
        public long LeaderEndAtLastFetch; // the leader's log end when it answered this follower's previous fetch
    }

    private readonly int _self;
    private readonly Dictionary<int, Follower> _followers = [];

    public InSyncReplicas(int self, BecomeLeader role, DateTime now)
    {
        _self = self;
        Epoch = role.Epoch;
        Replicas = role.Replicas;
        Isr = role.Isr;
        MinInsync = role.MinInsyncReplicas;
        // a new leader gives every follower the full lag time to show up before it asks to drop it
        foreach (int r in role.Replicas.Where(r => r != self)) _followers[r] = new Follower { LastCaughtUp = now };
    }

    public int Epoch { get; }
    public IReadOnlyList<int> Replicas { get; }
    public IReadOnlyList<int> Isr { get; private set; }
    public int MinInsync { get; private set; }

    /// <summary>Whether an acks=all produce may be taken: enough replicas in sync (Kafka's min.insync.replicas).</summary>
    public bool EnoughInSync => Isr.Count >= MinInsync;

    /// <summary>
    /// The metadata names an ISR for this epoch: members it adds count at once (more copies to wait for is always
    /// safe), members it drops only once the controller grants the drop (<see cref="Granted"/>). True if the ISR changed.
    /// </summary>
    public bool Update(BecomeLeader role)
    {
        MinInsync = role.MinInsyncReplicas;
        var grown = Isr.Union(role.Isr).Order().ToList();
        if (grown.SequenceEqual(Isr.Order())) return false;
        Isr = grown;
        return true;
    }

    /// <summary>The controller confirmed <paramref name="isr"/> (a majority holds it): it is the ISR now. True if it changed.</summary>
    public bool Granted(IReadOnlyList<int> isr)
    {
        if (isr.Order().SequenceEqual(Isr.Order())) return false;
        Isr = isr;
        return true;
    }

    /// <summary>
    /// A follower fetched from <paramref name="fetchOffset"/> with its copy durable to <paramref name="flushed"/>. It
    /// counts as caught up when it reached the leader's log end as of its previous fetch (Kafka's rule: under steady
    /// produce the log end moves on while the fetch travels, so "equal to the log end now" would never hold).
    /// </summary>
    public void Fetched(int follower, long fetchOffset, long flushed, long leaderLogEnd, DateTime now)
    {
        if (!_followers.TryGetValue(follower, out var f)) return; // not a replica of this partition
        f.LogEnd = fetchOffset;
        f.Flushed = Math.Min(flushed, fetchOffset);
        if (fetchOffset >= f.LeaderEndAtLastFetch) f.LastCaughtUp = now;
        f.LeaderEndAtLastFetch = leaderLogEnd;
    }

    /// <summary>A follower's copy is durable up to <paramref name="flushed"/> (reported between its fetches).</summary>
    public void Durable(int follower, long flushed)
    {
        if (_followers.TryGetValue(follower, out var f) && f.LogEnd >= 0) f.Flushed = Math.Max(f.Flushed, Math.Min(flushed, f.LogEnd));
    }

    /// <summary>The high watermark the ISR allows, given the leader's own durable end.</summary>
    public long HighWatermark(long leaderFlushed)
    {
        long hw = leaderFlushed;
        foreach (int r in Isr)
            if (r != _self) hw = Math.Min(hw, _followers.TryGetValue(r, out var f) ? Math.Max(f.Flushed, 0) : 0);
        return hw;
    }

    /// <summary>The ISR without the followers that have not caught up for <paramref name="lagMax"/>; null if none lags.</summary>
    public IReadOnlyList<int>? Shrunk(DateTime now, TimeSpan lagMax)
    {
        var lagging = Isr.Where(r => r != _self && _followers.TryGetValue(r, out var f) && now - f.LastCaughtUp > lagMax).ToHashSet();
        return lagging.Count == 0 ? null : Isr.Where(r => !lagging.Contains(r)).ToList();
    }

    /// <summary>
    /// The ISR with the followers outside it that have caught up: copies reaching the high watermark and the leader's
    /// log end recently (Kafka's rule); null if none has.
    /// </summary>
    public IReadOnlyList<int>? Expanded(long highWatermark, DateTime now, TimeSpan lagMax)
    {
        var back = _followers.Where(kv => !Isr.Contains(kv.Key) && kv.Value.LogEnd >= highWatermark && kv.Value.Flushed >= highWatermark
                                          && now - kv.Value.LastCaughtUp <= lagMax)
            .Select(kv => kv.Key).ToList();
        return back.Count == 0 ? null : Isr.Concat(back).Order().ToList();
    }
}
