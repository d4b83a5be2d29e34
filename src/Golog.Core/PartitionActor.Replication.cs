using Akka.Actor;
using Akka.Event;
using Golog.Core.Replication;
using Golog.Storage;

namespace Golog.Core;

/// <summary>
/// The partition's part in replication (Kafka's model). As leader it stamps its epoch on every batch, serves its
/// followers' fetches from what is written, tracks their copies (<see cref="InSyncReplicas"/>) and holds acks=all
/// produces until the high watermark, the smallest durable end over the ISR, passes them. As follower it takes no
/// produce or fetch: it appends its leader's batches as they are and cuts a divergent tail when told. On one node
/// (<see cref="Role.Single"/>) none of this runs: the high watermark is the flushed offset.
/// </summary>
public sealed partial class PartitionActor
{
    private enum Role
    {
        /// <summary>No cluster: this node leads every partition, in epoch 0.</summary>
        Single,
        /// <summary>A cluster node before the metadata gave this partition a role (or after it named no leader): serves nothing.</summary>
        Unassigned,
        Leader,
        Follower,
    }

    private sealed record ReplicaCheck { public static readonly ReplicaCheck Instance = new(); }
    private sealed record ReplicaFetchExpired(long Ticket);
    private readonly record struct ParkedReplicaFetch(IActorRef ReplyTo, ReplicaFetch Fetch);

    /// <summary>How long a follower's fetch waits at the leader's log end for new batches before it is answered empty.</summary>
    private static readonly TimeSpan ReplicaFetchWait = TimeSpan.FromMilliseconds(500);

    private Role _role;
    private int _epoch;
    private int _leaderId = PartitionLeadership.NoLeader;
    private InSyncReplicas? _isr; // leading in a cluster
    private IActorRef _isrChanges = ActorRefs.Nobody;
    private DateTime _isrChangeAskedAt = DateTime.MinValue;
    private long _leaderHighWatermark; // following: the leader's high watermark as last heard
    private readonly List<Waiter> _awaitingIsr = []; // acks=all produces durable here, waiting for the high watermark
    private readonly LongPollQueue<ParkedReplicaFetch> _replicaPolls = new();

    private void ReceiveReplication()
    {
        Receive<BecomeLeader>(OnBecomeLeader);
        Receive<BecomeFollower>(OnBecomeFollower);
        Receive<ReplicaFetch>(f => OnReplicaFetch(new ParkedReplicaFetch(Sender, f)));
        Receive<ReplicaFetchExpired>(e =>
        {
            if (_replicaPolls.TryExpire(e.Ticket, out var parked)) ServeReplica(parked);
        });
        Receive<AppendReplicaData>(OnAppendReplicaData);
        Receive<ReplicaProgress>(p =>
        {
            if (_role != Role.Leader || p.Epoch != _epoch) return;
            _isr!.Durable(p.FollowerId, p.Flushed);
            AdvanceHighWatermark();
        });
        Receive<TruncateReplica>(OnTruncateReplica);
        Receive<ReplicaPositionQuery>(_ =>
        {
            if (EnsureOpenForRole()) Sender.Tell(Position());
        });
        Receive<ReplicaCheck>(_ => CheckReplicas());
        Receive<IsrChangeGranted>(g =>
        {
            if (_role != Role.Leader || g.Epoch != _epoch) return;
            if (_isr!.Granted(g.Isr)) CoreMetrics.IsrChanges.Add(1, _topicTag);
            _isrChangeAskedAt = DateTime.MinValue;
            AdvanceHighWatermark();
        });
    }

    /// <summary>Why a client's produce or fetch is not served by this copy; null when it leads (or on one node).</summary>
    private BrokerError? RefusedByRole() => _role is Role.Single or Role.Leader ? null : NotLeaderError();

    private BrokerError NotLeaderError() => new(BrokerErrorCode.NotLeader, _leaderId == PartitionLeadership.NoLeader
        ? $"partition {_tp} has no leader right now (an election is under way); retry shortly"
        : $"node {_settings.Cluster.NodeId} does not lead partition {_tp}: node {_leaderId} does (epoch {_epoch})");

    private bool EnsureOpenForRole()
    {
        if (_closed || _unopenable is not null) return false;
        return _partitionLog is not null || OpenLog();
    }

    private void OnBecomeLeader(BecomeLeader m)
    {
        if (m.Epoch < _epoch || !EnsureOpenForRole()) return;
        _isrChanges = m.IsrChanges;
        if (_role == Role.Leader && m.Epoch == _epoch)
        {
            if (_isr!.Update(m)) CoreMetrics.IsrChanges.Add(1, _topicTag); // members back; drops wait for IsrChangeGranted
            AdvanceHighWatermark();
            return;
        }
        _role = Role.Leader;
        _epoch = m.Epoch;
        _leaderId = _settings.Cluster.NodeId;
        _isr = new InSyncReplicas(_settings.Cluster.NodeId, m, DateTime.UtcNow);
        _isrChangeAskedAt = DateTime.MinValue;
        Timers.StartPeriodicTimer("replica-check", ReplicaCheck.Instance, TimeSpan.FromMilliseconds(250));
        _log.Info("Partition {Partition} now leads in epoch {Epoch} with replicas {Replicas}, in sync {Isr}; log end {LogEnd}",
            _tp.ToString(), m.Epoch, string.Join(",", m.Replicas), string.Join(",", m.Isr), _partitionLog.LogEndOffset);
        AdvanceHighWatermark();
    }

    private void OnBecomeFollower(BecomeFollower m)
    {
        if (m.Epoch < _epoch || (_role == Role.Follower && m.Epoch == _epoch && m.Leader == _leaderId) || !EnsureOpenForRole()) return;
        bool wasLeader = _role == Role.Leader;
        _role = m.Leader == PartitionLeadership.NoLeader ? Role.Unassigned : Role.Follower;
        _epoch = m.Epoch;
        _leaderId = m.Leader;
        _isr = null;
        _leaderHighWatermark = 0; // only what this epoch's leader says counts: a restarted copy's own may be too high
        Timers.Cancel("replica-check");
        var notLeader = NotLeaderError();
        StopWaitingForReplicas(notLeader);
        foreach (var parked in _polls.TakeAll()) Fail(parked.ReplyTo, parked.Correlation, notLeader);
        foreach (var parked in _replicaPolls.TakeAll()) parked.ReplyTo.Tell(new ReplicaRefused(notLeader.Message));
        if (wasLeader || _role == Role.Follower)
            _log.Info("Partition {Topic}-{Partition} follows node {Leader} in epoch {Epoch}; log end {LogEnd}", _tp.Topic, _tp.Partition, m.Leader, m.Epoch,
                _partitionLog.LogEndOffset);
    }

    /// <summary>The acks=all produces still waiting for the ISR get <paramref name="error"/> (a lost leadership, a shutdown).</summary>
    private void StopWaitingForReplicas(BrokerError error)
    {
        foreach (var w in _awaitingIsr) FailWaiter(w, error);
        _awaitingIsr.Clear();
    }

    private static void FailWaiter(in Waiter w, BrokerError error)
    {
        if (w.Replica) return; // a fetcher asks again; it is not a client
        Fail(w.ReplyTo, w.Correlation, error);
    }

    /// <summary>
    /// Moves the high watermark as far as this copy's role allows: on one node to the flushed offset; as leader to the
    /// smallest durable end over the ISR; as follower to the leader's high watermark as far as this copy is durable.
    /// Then answers the acks=all produces and parked fetches it passed.
    /// </summary>
    private void AdvanceHighWatermark()
    {
        long flushed = _partitionLog.FlushedOffset;
        long target = _role switch
        {
            Role.Leader => _isr!.HighWatermark(flushed),
            Role.Follower => Math.Min(_leaderHighWatermark, flushed),
            Role.Unassigned => _partitionLog.HighWatermark,
            _ => flushed,
        };
        _partitionLog.AdvanceHighWatermark(target);
        long hw = _partitionLog.HighWatermark;
        if (_awaitingIsr.Count > 0)
        {
            int done = 0;
            while (done < _awaitingIsr.Count && _awaitingIsr[done].LastOffset < hw) done++; // in offset order
            // Kafka's NOT_ENOUGH_REPLICAS_AFTER_APPEND: stored here, but the ISR it reached is smaller than
            // min.insync, so acks=all was not met (and the batch may be lost with this node)
            BrokerError? tooFew = _isr is { EnoughInSync: false } isr ? new BrokerError(BrokerErrorCode.NotEnoughReplicas,
                $"{_tp}: the batch reached only {isr.Isr.Count} in-sync replicas ({string.Join(",", isr.Isr)}), fewer than min.insync.replicas {isr.MinInsync}") : null;
            foreach (var w in _awaitingIsr.Take(done))
                if (tooFew is null) Answer(w.ReplyTo, w.Correlation, new Produced(_tp.Topic, _tp.Partition, w.BaseOffset, w.LastOffset));
                else FailWaiter(w, tooFew);
            _awaitingIsr.RemoveRange(0, done);
        }
        Publish();
        foreach (var parked in _polls.TakeReady(hw)) Serve(parked);
    }

    private void OnReplicaFetch(ParkedReplicaFetch request)
    {
        var f = request.Fetch;
        if (_role != Role.Leader || _closed)
        {
            request.ReplyTo.Tell(new ReplicaRefused(_closed ? $"partition {_tp} is closed" : NotLeaderError().Message));
            return;
        }
        if (f.Epoch != _epoch)
        {
            request.ReplyTo.Tell(new ReplicaRefused($"node {f.FollowerId} fetches {_tp} in epoch {f.Epoch}, but this leader is in epoch {_epoch}"));
            return;
        }
        if (Divergence(f) is { } diverging)
        {
            request.ReplyTo.Tell(diverging);
            return;
        }
        if (f.FetchOffset < _partitionLog.LogStartOffset)
        {
            request.ReplyTo.Tell(new ReplicaRefused($"offset {f.FetchOffset} is below the log start offset {_partitionLog.LogStartOffset} of {_tp}"));
            return;
        }
        var now = DateTime.UtcNow;
        _isr!.Fetched(f.FollowerId, f.FetchOffset, f.FollowerFlushed, _partitionLog.LogEndOffset, now);
        AdvanceHighWatermark();
        AskForIsrChange(_isr.Expanded(_partitionLog.HighWatermark, now, _settings.Cluster.ReplicaLagTimeMax));
        var data = _partitionLog.ReadForReplica(f.FetchOffset, f.MaxBytes);
        if (data.Length > 0) { Reply(request, data); return; }
        long ticket = _replicaPolls.Park(request, f.FetchOffset);
        Timers.StartSingleTimer("replica-fetch-" + ticket, new ReplicaFetchExpired(ticket), ReplicaFetchWait);
    }

    /// <summary>
    /// KIP-320's check: the follower's last epoch must end, in this log, at or after the follower's log end. If it
    /// does not, the follower holds batches this leader never had (a deposed leader's unacknowledged tail): it is
    /// told where to cut. Null when the logs agree.
    /// </summary>
    private ReplicaDiverging? Divergence(ReplicaFetch f)
    {
        if (f.FetchOffset == 0) return null;
        var (epoch, end) = _partitionLog.EpochEnd(f.LastFetchedEpoch);
        if (epoch < 0) // this log knows no epoch that old: nothing of the follower's tail is known here
            return new ReplicaDiverging(_epoch, -1, _partitionLog.LeaderEpochs.Count > 0 ? Math.Min(f.FetchOffset, _partitionLog.LeaderEpochs[0].StartOffset) : 0);
        return epoch == f.LastFetchedEpoch && end >= f.FetchOffset ? null : new ReplicaDiverging(_epoch, epoch, Math.Min(end, f.FetchOffset));
    }

    private void ServeReplica(ParkedReplicaFetch request)
    {
        if (_role != Role.Leader) { request.ReplyTo.Tell(new ReplicaRefused(NotLeaderError().Message)); return; }
        Reply(request, _partitionLog.ReadForReplica(request.Fetch.FetchOffset, request.Fetch.MaxBytes));
    }

    private void Reply(ParkedReplicaFetch request, ReadResult data)
    {
        try
        {
            request.ReplyTo.Tell(new ReplicaData(_epoch, _partitionLog.HighWatermark, _partitionLog.LogStartOffset, data.Buffer.AsMemory(0, data.Length)));
        }
        catch (IOException e)
        {
            _log.Error(e, "Replica read failed in partition {Topic}-{Partition} at offset {Offset}", _tp.Topic, _tp.Partition, request.Fetch.FetchOffset);
            request.ReplyTo.Tell(new ReplicaRefused($"read failed: {e.Message}"));
        }
    }

    /// <summary>Newly written batches: the followers waiting at the old log end get them now.</summary>
    private void ServeWaitingFollowers(long writtenEnd)
    {
        if (_replicaPolls.Count == 0) return;
        foreach (var parked in _replicaPolls.TakeReady(writtenEnd)) ServeReplica(parked);
    }

    private void OnAppendReplicaData(AppendReplicaData m)
    {
        if (_role != Role.Follower || m.Epoch != _epoch || _closed) { Sender.Tell(Position()); return; }
        _leaderHighWatermark = Math.Max(_leaderHighWatermark, m.LeaderHighWatermark);
        if (m.Batches.IsEmpty)
        {
            AdvanceHighWatermark();
            Sender.Tell(Position());
            return;
        }
        long before = _partitionLog.LogEndOffset;
        try { _partitionLog.AppendReplicated(m.Batches.Span); }
        catch (InvalidBatchException e)
        {
            _log.Warning("Partition {Topic}-{Partition} refused batches from leader {Leader}: {Reason}", _tp.Topic, _tp.Partition, _leaderId, e.Message);
            if (_partitionLog.LogEndOffset == before) { Sender.Tell(Position()); return; }
        }
        catch (IOException e)
        {
            StorageMetrics.Errors.Add(1);
            FailPending(e);
            Sender.Tell(Position());
            return;
        }
        _commit.Appended(new Waiter(Sender, 0, before, _partitionLog.LogEndOffset - 1, 0, Replica: true));
        QueueFlush();
        Sender.Tell(Position()); // fetch on while this sync runs: the leader hears of it as ReplicaDurable
    }

    private void OnTruncateReplica(TruncateReplica m)
    {
        // only between appends: a sync in flight would mark flushed what the cut removed
        if (_role == Role.Follower && m.Epoch == _epoch && !_closed && _commit.Waiting == 0 && !_commit.SyncInFlight)
        {
            // where the logs part: the end of that epoch here too, and no further than the leader's (KIP-279)
            var (_, ownEnd) = _partitionLog.EpochEnd(m.DivergingEpoch);
            long cut = m.DivergingEpoch < 0 || ownEnd < 0 ? m.LeaderEndOffset : Math.Min(ownEnd, m.LeaderEndOffset);
            _leaderHighWatermark = Math.Min(_leaderHighWatermark, cut);
            try { _partitionLog.TruncateDivergentTail(cut); }
            catch (IOException e) { StorageMetrics.Errors.Add(1); FailPending(e); }
            Publish();
        }
        Sender.Tell(Position());
    }

    private ReplicaPosition Position() => new(_epoch, _partitionLog.LogEndOffset, _partitionLog.FlushedOffset, _partitionLog.LatestEpoch);

    /// <summary>A leader's periodic check: acks=all produces past the ack timeout, followers past the lag time.</summary>
    private void CheckReplicas()
    {
        if (_role != Role.Leader || _closed) return;
        var now = DateTime.UtcNow;
        int expired = 0;
        while (expired < _awaitingIsr.Count && now - _awaitingIsr[expired].Since > _settings.Cluster.AckTimeout) expired++;
        if (expired > 0)
        {
            var timedOut = new BrokerError(BrokerErrorCode.NotEnoughReplicas,
                $"{_tp}: the in-sync replicas ({string.Join(",", _isr!.Isr)}) did not all have the batch within {_settings.Cluster.AckTimeout.TotalSeconds:0.#} s (golog.cluster.ack-timeout)");
            foreach (var w in _awaitingIsr.Take(expired)) FailWaiter(w, timedOut);
            _awaitingIsr.RemoveRange(0, expired);
        }
        AskForIsrChange(_isr!.Shrunk(now, _settings.Cluster.ReplicaLagTimeMax));
    }

    /// <summary>Asks the controller for an ISR change, at most once a second while one is pending.</summary>
    private void AskForIsrChange(IReadOnlyList<int>? isr)
    {
        var now = DateTime.UtcNow;
        if (isr is null || now - _isrChangeAskedAt < TimeSpan.FromSeconds(1)) return;
        _isrChangeAskedAt = now;
        _log.Info("Partition {Topic}-{Partition} asks to change its in-sync replicas from {Isr} to {NewIsr}", _tp.Topic, _tp.Partition,
            string.Join(",", _isr!.Isr), string.Join(",", isr));
        _isrChanges.Tell(new IsrChangeRequest(_tp.Topic, _tp.Partition, _settings.Cluster.NodeId, _epoch, isr));
    }
}
