using Akka.Actor;
using Golog.Storage;

namespace Golog.Core.Groups;

/// <summary>
/// Where a cluster group's commits go: its offsets partition's actor on this node (which leads it), the partition, the
/// offsets replayed from it when this node took it over, and the view that names the coordinator when it moves on.
/// </summary>
public sealed record OffsetsPartition(IActorRef Actor, TopicPartition Partition, IReadOnlyDictionary<TopicPartition, long> Loaded, ClusterView View);

/// <summary>
/// A cluster group's committed offsets, kept as records of its offsets partition instead of a file: commits wait as
/// records, go out as one acks=all produce at a time (<see cref="NextBatch"/>) and become the group's offsets only
/// when that produce is acknowledged, that is once every in-sync replica has them durable. Plain bookkeeping; the
/// group actor sends and receives. <typeparamref name="TWaiter"/> is whoever is answered when a write ends.
/// </summary>
public sealed class ReplicatedOffsets<TWaiter>(string group, TopicPartition partition, IReadOnlyDictionary<TopicPartition, long> loaded)
{
    private readonly Dictionary<TopicPartition, long> _offsets = new(loaded);
    private List<OffsetsRecord> _pending = [];
    private List<TWaiter> _pendingWaiters = [];
    private List<OffsetsRecord> _inFlight = [];
    private List<TWaiter> _inFlightWaiters = [];

    public string Group { get; } = group;

    /// <summary>The acknowledged offsets: the latest per partition.</summary>
    public IReadOnlyDictionary<TopicPartition, long> Offsets => _offsets;

    public bool HasPending => _pending.Count > 0;

    public bool InFlight { get; private set; }

    /// <summary>Nothing waits to be written and nothing is being written: what <see cref="Offsets"/> says is all there is.</summary>
    public bool Settled => !InFlight && _pending.Count == 0;

    /// <summary>Records <paramref name="records"/> for the next write; <paramref name="waiter"/> is answered when it ends.</summary>
    public void Append(TWaiter waiter, params OffsetsRecord[] records)
    {
        _pending.AddRange(records);
        _pendingWaiters.Add(waiter);
    }

    /// <summary>The produce that writes every pending record, or null while one is in flight or nothing waits (one write at a time keeps the records in commit order).</summary>
    public ProduceCommand? NextBatch()
    {
        if (InFlight || _pending.Count == 0) return null;
        (_inFlight, _pending) = (_pending, _inFlight);
        (_inFlightWaiters, _pendingWaiters) = (_pendingWaiters, _inFlightWaiters);
        InFlight = true;
        var records = _inFlight.Select(OffsetsRecordCodec.Encode).ToArray();
        return new ProduceCommand(partition.Topic, partition.Partition, new RecordsToAppend(records), Acks.All);
    }

    /// <summary>The write in flight was acknowledged: its records are the group's offsets now; returns who waited for it.</summary>
    public List<TWaiter> Acknowledged()
    {
        foreach (var record in _inFlight) OffsetsReplay.Apply(_offsets, record);
        return EndWrite();
    }

    /// <summary>The write in flight failed: nothing of it counts; returns who waited for it.</summary>
    public List<TWaiter> WriteFailed() => EndWrite();

    /// <summary>Everyone still waiting, in flight or not (the coordinator moved or shuts down); nothing they wrote counts.</summary>
    public List<TWaiter> TakeAll()
    {
        var all = EndWrite();
        all.AddRange(_pendingWaiters);
        _pending.Clear();
        _pendingWaiters = [];
        return all;
    }

    private List<TWaiter> EndWrite()
    {
        var waiters = _inFlightWaiters;
        _inFlight.Clear();
        _inFlightWaiters = [];
        InFlight = false;
        return waiters;
    }
}
