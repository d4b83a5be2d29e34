using Akka.Actor;
using Akka.Event;
using Golog.Core.Replication;
using Golog.Storage;

namespace Golog.Cluster;

/// <summary>
/// Keeps one follower partition's copy up with its leader in one epoch (Kafka's replica fetcher, one per
/// partition): asks its own partition where its copy ends, fetches from the leader's <see cref="ReplicaServer"/>
/// from there, has its partition append what came and fetches again at once, while the partition syncs; each sync
/// done is reported to the leader (<see cref="ReplicaProgress"/>), which counts durable copies only. Cuts the copy
/// where the leader says it diverges. One request at a time, so the fetch offset is always the copy's end. A new leader or epoch gets a new
/// fetcher; this one is stopped.
/// </summary>
public sealed class ReplicaFetcher : ReceiveActor, IWithTimers
{
    private sealed record Retry { public static readonly Retry Instance = new(); }
    private sealed record FetchTimedOut(long Attempt);

    /// <summary>How long a fetch may go unanswered (the leader waits up to 500 ms itself) before it is sent again.</summary>
    private static readonly TimeSpan FetchTimeout = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(200);

    private readonly TopicPartition _tp;
    private readonly int _self;
    private readonly int _epoch;
    private readonly IActorRef _partition;
    private readonly ActorSelection _leader;
    private readonly int _maxBytes;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private long _attempt;
    private bool _inFlight;

    public ReplicaFetcher(TopicPartition tp, int self, int epoch, IActorRef partition, ActorSelection leader, int maxBytes)
    {
        _tp = tp;
        _self = self;
        _epoch = epoch;
        _partition = partition;
        _leader = leader;
        _maxBytes = maxBytes;
        Receive<ReplicaPosition>(OnPosition);
        Receive<ReplicaDurable>(d =>
        {
            if (d.Epoch == _epoch) _leader.Tell(new ReplicaProgress(_tp.Topic, _tp.Partition, _self, _epoch, d.Flushed));
        });
        Receive<ReplicaData>(d =>
        {
            if (!Answered(d.Epoch)) return;
            _partition.Tell(new AppendReplicaData(_epoch, d.Batches, d.HighWatermark));
        });
        Receive<ReplicaDiverging>(d =>
        {
            if (!Answered(d.Epoch)) return;
            _log.Info("Follower {Partition} diverges from its leader at epoch {DivergingEpoch}: cutting its copy back to {Offset} at most",
                _tp.ToString(), d.DivergingEpoch, d.EndOffset);
            _partition.Tell(new TruncateReplica(_epoch, d.DivergingEpoch, d.EndOffset));
        });
        Receive<ReplicaRefused>(r =>
        {
            if (!_inFlight) return;
            _inFlight = false;
            _log.Debug("Leader refused the fetch of {Partition}: {Reason}", _tp.ToString(), r.Reason);
            Timers.StartSingleTimer("retry", Retry.Instance, RetryDelay);
        });
        Receive<FetchTimedOut>(t =>
        {
            if (t.Attempt != _attempt || !_inFlight) return;
            _inFlight = false;
            Self.Tell(Retry.Instance);
        });
        Receive<Retry>(_ => _partition.Tell(ReplicaPositionQuery.Instance));
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(TopicPartition tp, int self, int epoch, IActorRef partition, ActorSelection leader, int maxBytes) =>
        Akka.Actor.Props.Create(() => new ReplicaFetcher(tp, self, epoch, partition, leader, maxBytes));

    protected override void PreStart() => _partition.Tell(ReplicaPositionQuery.Instance);

    private bool Answered(int epoch)
    {
        if (!_inFlight) return false; // the answer to a fetch given up on
        _inFlight = false;
        Timers.Cancel("timeout");
        if (epoch == _epoch) return true;
        Timers.StartSingleTimer("retry", Retry.Instance, RetryDelay);
        return false;
    }

    /// <summary>The copy's position (after an append, a cut or when asked): fetch from its end.</summary>
    private void OnPosition(ReplicaPosition p)
    {
        if (p.Epoch != _epoch) // the partition has not taken (or has moved past) this epoch's role: ask again shortly
        {
            Timers.StartSingleTimer("retry", Retry.Instance, RetryDelay);
            return;
        }
        _attempt++;
        _inFlight = true;
        _leader.Tell(new ReplicaFetch(_tp.Topic, _tp.Partition, _self, _epoch, p.LogEnd, p.LatestEpoch, p.Flushed, _maxBytes));
        Timers.StartSingleTimer("timeout", new FetchTimedOut(_attempt), FetchTimeout);
    }
}
