using Akka.Actor;
using Akka.Event;
using Golog.Storage;

namespace Golog.Core.Groups;

/// <summary>
/// A cluster node's part in coordinating groups (Kafka's way): a group belongs to one partition of
/// <see cref="OffsetsTopic"/> and is coordinated by that partition's leader. When this node becomes leader of one it
/// replays it (<see cref="OffsetsLoader"/>) and only then starts and serves its groups; when it stops leading it,
/// those groups stop here and their members rejoin at the new coordinator.
/// </summary>
public sealed partial class GroupManager
{
    /// <summary>An offsets partition this node leads in <see cref="Epoch"/>: loading, or serving its <see cref="Groups"/>.</summary>
    private sealed class Coordination(int epoch, CancellationTokenSource loading)
    {
        public int Epoch { get; } = epoch;
        public CancellationTokenSource Loading { get; } = loading;
        public bool Loaded { get; set; }
        public HashSet<string> Groups { get; } = new(StringComparer.Ordinal);
    }

    private sealed record OffsetsLoaded(int Partition, int Epoch, OffsetsReplay? Replay, TimeSpan Took);

    private readonly RoutingTable? _routes; // a cluster's; null on one node
    private readonly Dictionary<int, Coordination> _coordinating = [];
    private readonly ILoggingAdapter _log = Context.GetLogger();

    private void ReceiveCoordination()
    {
        Receive<CoordinatorsMoved>(_ => Reconsider());
        Receive<OffsetsLoaded>(Loaded);
    }

    /// <summary>A replay still running when the broker stops has no one to hand its offsets to.</summary>
    protected override void PostStop()
    {
        foreach (var c in _coordinating.Values) c.Loading.Cancel();
    }

    /// <summary>The groups running here: on a cluster those of the offsets partitions this node serves (groups of one it left are stopping).</summary>
    private IEnumerable<IActorRef> RunningGroups() => _routes is null
        ? Context.GetChildren()
        : _coordinating.Values.Where(c => c.Loaded).SelectMany(c => c.Groups).Select(g => Context.Child(ChildName(g))).Where(c => !c.IsNobody()).ToList();

    /// <summary>A group's actor name; on a cluster with the epoch it is coordinated in, so a group that comes back in a later epoch never meets its stopping predecessor.</summary>
    private string ChildName(string group) =>
        _routes is null || !_coordinating.TryGetValue(PartitionOf(group), out var c) ? "group-" + group : $"group-{group}@{c.Epoch}";

    private int PartitionOf(string group) => OffsetsTopic.PartitionFor(group, _routes!.Cluster.OffsetsPartitions);

    /// <summary>Why this node does not serve <paramref name="group"/>: another coordinates it, or it still replays its offsets. Null when it serves it (always on one node).</summary>
    private BrokerError? NotServedHere(string group)
    {
        if (_routes is null) return null;
        if (_coordinating.TryGetValue(PartitionOf(group), out var c))
            return c.Loaded ? null : Loading(group);
        return _routes.Cluster.NotCoordinatorHere(group) ?? Loading(group); // the metadata names this node; its word to start is on the way
    }

    private BrokerError Loading(string group) => new(BrokerErrorCode.CoordinatorLoading,
        $"node {_routes!.Cluster.SelfId} is loading the committed offsets of group {group} ({_routes.Cluster.OffsetsPartitionOf(group)}); retry shortly");

    /// <summary>Where a group started now keeps its offsets: on a cluster, its offsets partition's actor here.</summary>
    private OffsetsPartition? OffsetsPartitionFor(string group, IReadOnlyDictionary<TopicPartition, long>? loaded)
    {
        if (_routes is null) return null;
        var tp = _routes.Cluster.OffsetsPartitionOf(group);
        _coordinating[tp.Partition].Groups.Add(group);
        _routes.TryGetPartition(tp.Topic, tp.Partition, out var route);
        return new OffsetsPartition(route.Actor, tp, loaded ?? new Dictionary<TopicPartition, long>(), _routes.Cluster);
    }

    /// <summary>After new metadata: loads the offsets partitions this node leads in a new epoch, resigns those it no longer leads.</summary>
    private void Reconsider()
    {
        if (_routes is null || _closed) return;
        var view = _routes.Cluster;
        for (int p = 0; p < view.OffsetsPartitions; p++)
        {
            var tp = new TopicPartition(OffsetsTopic.Name, p);
            var leadership = view.LeadershipOf(tp);
            bool leads = leadership.Leader == view.SelfId && _routes.TryGetPartition(tp.Topic, p, out _);
            _coordinating.TryGetValue(p, out var current);
            if (leads && current?.Epoch == leadership.Epoch) continue;
            if (current is not null) Resign(tp, current);
            if (leads) StartLoading(tp, leadership.Epoch);
        }
    }

    private void StartLoading(TopicPartition tp, int epoch)
    {
        _routes!.TryGetPartition(tp.Topic, tp.Partition, out var route);
        var loading = new CancellationTokenSource();
        _coordinating[tp.Partition] = new Coordination(epoch, loading);
        _log.Info("Loading the committed offsets of {Partition} (leader epoch {Epoch}) before coordinating its groups", tp.ToString(), epoch);
        var started = _time.GetTimestamp();
        OffsetsLoader.LoadAsync(route, tp, loading.Token).ContinueWith(
                t => new OffsetsLoaded(tp.Partition, epoch, t.IsCompletedSuccessfully ? t.Result : null, _time.GetElapsedTime(started)),
                TaskContinuationOptions.ExecuteSynchronously)
            .PipeTo(Self);
    }

    private void Loaded(OffsetsLoaded loaded)
    {
        if (!_coordinating.TryGetValue(loaded.Partition, out var c) || c.Epoch != loaded.Epoch || c.Loaded || _closed) return; // moved on meanwhile
        var tp = new TopicPartition(OffsetsTopic.Name, loaded.Partition);
        if (loaded.Replay is not { } replay) // cancelled without a resignation cannot happen; a failure is retried
        {
            _log.Warning("Loading the committed offsets of {Partition} failed; trying again", tp.ToString());
            StartLoading(tp, loaded.Epoch);
            return;
        }
        c.Loaded = true;
        foreach (var (group, offsets) in replay.Groups.Where(g => g.Value.Count > 0)) Start(group, offsets);
        _log.Info("Coordinating the {Groups} groups of {Partition} (leader epoch {Epoch}): replayed {Records} records in {Millis} ms{Skipped}",
            replay.Groups.Count, tp.ToString(), loaded.Epoch, replay.Records, (long)loaded.Took.TotalMilliseconds,
            replay.Skipped > 0 ? $", skipped {replay.Skipped} that are not offsets records" : "");
    }

    /// <summary>This node no longer leads <paramref name="tp"/> in <paramref name="c"/>'s epoch: its groups stop here.</summary>
    private void Resign(TopicPartition tp, Coordination c)
    {
        c.Loading.Cancel();
        foreach (var group in c.Groups) Context.Child($"group-{group}@{c.Epoch}").Tell(ResignCoordinator.Instance);
        _coordinating.Remove(tp.Partition);
        _log.Info("No longer coordinating the {Groups} groups of {Partition} (was leader in epoch {Epoch})", c.Groups.Count, tp.ToString(), c.Epoch);
    }
}
