using Golog.Protocol;
using Golog.Storage;

namespace Golog.Client;

/// <summary>
/// An idempotent producer's numbering, per partition as the broker checks it: each batch takes the next sequence
/// numbers (one per message) once, and keeps them through every retry, so a retry the broker already stored is
/// answered with the original offsets. A batch refused for good leaves a gap the broker would refuse every later
/// batch for, so the partition moves to a new epoch starting again at 0 (the broker accepts a newer epoch at 0).
/// The first batch of an epoch goes alone: a broker takes a producer it has not seen yet at any sequence, so a later
/// batch overtaking the first (several in flight) would be stored first and leave the first refused for good. The
/// batches that wait for it are numbered in the order they asked, and every batch is written to the connection only
/// after the batches numbered before it (<see cref="TurnToWriteAsync"/>, <see cref="Written"/>): numbered in one order
/// and written in another, the broker would refuse the early arrivals out of order and every retry would race again.
/// So the order a caller produces in is the order stored. Thread-safe.
/// </summary>
internal sealed class ProducerSequences(long producerId)
{
    private readonly Dictionary<TopicPartition, State> _partitions = [];

    private sealed class State
    {
        public short Epoch;
        public int Next;
        public readonly SortedSet<int> InFlight = [];
        /// <summary>Batches in flight that an earlier batch was stored ahead of since they were sent: a refusal of theirs may be that race.</summary>
        public readonly HashSet<int> OvertakenBy = [];
        /// <summary>The epoch's first batch (sequence 0) is numbered and not answered yet: later batches wait for it.</summary>
        public bool FirstUnanswered;
        /// <summary>The batches waiting to be numbered, in the order they asked.</summary>
        public readonly Queue<Waiting> Waiting = new();
        /// <summary>The first sequences of the batches numbered and not yet written, in the order they were numbered (a few: those in flight).</summary>
        public readonly List<int> Unwritten = [];
        /// <summary>Batches waiting for their turn to be written, by first sequence.</summary>
        public readonly Dictionary<int, TaskCompletionSource> Turns = [];
    }

    private sealed record Waiting(int Count, TaskCompletionSource<ProducerSequence> Numbered);

    public long ProducerId { get; } = producerId;

    /// <summary>The fields of a new batch of <paramref name="count"/> messages to <paramref name="tp"/>, once the epoch's first batch was answered.</summary>
    public async Task<ProducerSequence> TakeAsync(TopicPartition tp, int count, CancellationToken cancellationToken)
    {
        Waiting waiting;
        lock (_partitions)
        {
            if (!_partitions.TryGetValue(tp, out var s)) _partitions[tp] = s = new State();
            if (!s.FirstUnanswered && s.Waiting.Count == 0) return Number(s, count);
            waiting = new Waiting(count, new TaskCompletionSource<ProducerSequence>(TaskCreationOptions.RunContinuationsAsynchronously));
            s.Waiting.Enqueue(waiting);
        }
        // cancelled while waiting: skipped when its turn comes (a sequence given first is kept, and answered by the
        // caller); under the lock, so a cancellation never lands between NumberWaiting's check and its numbering
        await using (cancellationToken.Register(() => { lock (_partitions) waiting.Numbered.TrySetCanceled(cancellationToken); }))
            return await waiting.Numbered.Task.ConfigureAwait(false);
    }

    private ProducerSequence Number(State s, int count)
    {
        var taken = new ProducerSequence(ProducerId, s.Epoch, s.Next);
        if (s.Next == 0) s.FirstUnanswered = true;
        s.InFlight.Add(s.Next);
        s.Unwritten.Add(s.Next);
        s.Next = ProducerBatch.IncrementSequence(s.Next, count);
        return taken;
    }

    /// <summary>Numbers the waiting batches in the order they asked, up to and including an epoch's first.</summary>
    private void NumberWaiting(State s)
    {
        while (!s.FirstUnanswered && s.Waiting.TryDequeue(out var waiting))
        {
            if (waiting.Numbered.Task.IsCompleted) continue; // cancelled while it waited
            waiting.Numbered.SetResult(Number(s, waiting.Count)); // cancellations take the lock too: none comes between
        }
    }

    /// <summary>
    /// Completes once every batch numbered before <paramref name="batch"/> in its epoch was written to a connection (or
    /// answered): callers numbered in order reach the wire in that order whichever of their continuations runs first.
    /// </summary>
    public Task TurnToWriteAsync(TopicPartition tp, ProducerSequence batch, CancellationToken cancellationToken)
    {
        lock (_partitions)
        {
            var s = _partitions[tp];
            if (s.Epoch != batch.Epoch || s.Unwritten.Count == 0 || s.Unwritten[0] == batch.FirstSequence) return Task.CompletedTask;
            var turn = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            s.Turns[batch.FirstSequence] = turn;
            return turn.Task.WaitAsync(cancellationToken); // a cancelled waiter is answered unstored by its caller, which frees the turns
        }
    }

    /// <summary>The batch's request is written to its connection (called under the connection's write lock, so the next batch's bytes follow it); idempotent.</summary>
    public void Written(TopicPartition tp, ProducerSequence batch)
    {
        lock (_partitions)
        {
            var s = _partitions[tp];
            if (s.Epoch == batch.Epoch && s.Unwritten.Remove(batch.FirstSequence)) ReleaseNextWriter(s);
        }
    }

    private static void ReleaseNextWriter(State s)
    {
        if (s.Unwritten.Count > 0 && s.Turns.Remove(s.Unwritten[0], out var turn)) turn.SetResult();
    }

    /// <summary>
    /// A batch was refused out_of_order_sequence_number: worth retrying while an earlier batch of the same epoch is
    /// still unanswered (a retry of it is on its way, and this one follows it once it lands), or when one was stored
    /// meanwhile (its answer was handled before this refusal, which the broker sent before storing it).
    /// </summary>
    public bool WaitsForAnEarlierBatch(TopicPartition tp, ProducerSequence batch)
    {
        lock (_partitions)
        {
            if (!_partitions.TryGetValue(tp, out var s) || s.Epoch != batch.Epoch) return false;
            bool overtaken = s.OvertakenBy.Remove(batch.FirstSequence); // once: a retry refused again is not that race
            return overtaken || s.InFlight.Count > 0 && s.InFlight.Min < batch.FirstSequence;
        }
    }

    /// <summary>The batch is answered: stored (or a duplicate of a stored one), or refused for good (<paramref name="stored"/> false).</summary>
    public void Answered(TopicPartition tp, ProducerSequence batch, bool stored)
    {
        lock (_partitions)
        {
            var s = _partitions[tp];
            if (s.Epoch != batch.Epoch) return; // an older epoch's batch: its gap is already left behind
            if (batch.FirstSequence == 0) s.FirstUnanswered = false;
            s.InFlight.Remove(batch.FirstSequence);
            if (s.Unwritten.Remove(batch.FirstSequence)) ReleaseNextWriter(s); // answered unwritten: failed or cancelled before its write
            s.OvertakenBy.Remove(batch.FirstSequence);
            if (stored)
                foreach (int later in s.InFlight.GetViewBetween(batch.FirstSequence, int.MaxValue)) s.OvertakenBy.Add(later);
            else
            {
                s.Epoch++;
                s.Next = 0;
                s.FirstUnanswered = false;
                s.InFlight.Clear();
                s.OvertakenBy.Clear();
                s.Unwritten.Clear();
                foreach (var turn in s.Turns.Values) turn.SetResult(); // the old epoch's batches go now, to be refused for its gap
                s.Turns.Clear();
            }
            NumberWaiting(s);
        }
    }
}
