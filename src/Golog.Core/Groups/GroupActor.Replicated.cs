using Akka.Actor;
using Akka.Event;

namespace Golog.Core.Groups;

/// <summary>
/// From the group manager when this node no longer leads the group's offsets partition: the group stops here, and
/// its members rejoin at the new coordinator (membership is not replicated, as in Kafka).
/// </summary>
internal sealed record ResignCoordinator
{
    public static readonly ResignCoordinator Instance = new();
}

/// <summary>The cluster side of a group: its commits as acks=all records of its offsets partition.</summary>
public sealed partial class GroupActor
{
    private readonly OffsetsPartition? _offsetsPartition;
    private readonly ReplicatedOffsets<Waiter>? _replicated;
    // queries and resets that must see every commit before them: run once the writes before them have ended
    private readonly List<(Waiter Waiter, Action<Waiter> Run)> _afterCommits = [];
    private long _writes; // correlation of the write in flight

    private void ReceiveReplicated()
    {
        Receive<CoreReply>(OnWritten);
        Receive<ResignCoordinator>(_ =>
        {
            var moved = NotCoordinator();
            _log.Info("Group {Group}: no longer coordinated here ({Reason})", _group, moved.Message);
            _closed = true;
            FailEveryWaiter(moved);
            _board.Remove(_group);
            Context.Stop(Self);
        });
    }

    /// <summary>
    /// Runs <paramref name="run"/> (answering <paramref name="waiter"/>) once every commit before it is durable: at
    /// once on one node (the flush syncs here); on a cluster after the writes in flight or waiting have ended.
    /// </summary>
    private void AfterCommits(Waiter waiter, Action<Waiter> run)
    {
        Flush();
        if (_replicated is { Settled: false }) _afterCommits.Add((waiter, run));
        else run(waiter);
    }

    /// <summary>Sends the waiting records as one acks=all produce to the offsets partition, unless a write is in flight (its end sends the next).</summary>
    private void WriteReplicated(ReplicatedOffsets<Waiter> replicated)
    {
        if (replicated.NextBatch() is { } produce) _offsetsPartition!.Actor.Tell(new CoreRequest(++_writes, produce));
    }

    private void OnWritten(CoreReply reply)
    {
        if (_replicated is not { InFlight: true } replicated || reply.Correlation != _writes) return; // a write failed already (shutdown, resignation)
        if (reply.Result is Produced)
        {
            var durable = replicated.Acknowledged();
            PublishStatus();
            foreach (var waiter in durable) Reply(waiter, waiter.Answer ?? OffsetCommitted.Instance);
        }
        else
        {
            var error = reply.Result is Failed { Error: var e } && e.Code != BrokerErrorCode.NotLeader ? e : NotCoordinator();
            _log.Warning("Group {Group}: offsets not written to {Partition}: {Reason}", _group, _offsetsPartition!.Partition.ToString(), error.Message);
            var failure = new Failed(error);
            foreach (var waiter in replicated.WriteFailed()) Reply(waiter, failure);
        }
        Flush(); // commits that arrived meanwhile
        while (_afterCommits.Count > 0 && replicated.Settled)
        {
            var (waiter, run) = _afterCommits[0];
            _afterCommits.RemoveAt(0);
            run(waiter);
        }
    }

    /// <summary>not_coordinator naming the node that coordinates the group now (null while none does).</summary>
    private BrokerError NotCoordinator() => _offsetsPartition!.View.NotCoordinatorHere(_group)
        ?? new BrokerError(BrokerErrorCode.NotCoordinator,
            $"node {_offsetsPartition.View.SelfId} no longer coordinates group {_group} ({_offsetsPartition.Partition} is changing leader); find its coordinator again");
}
