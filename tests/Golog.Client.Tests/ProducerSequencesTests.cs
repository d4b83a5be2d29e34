using Golog.Protocol;
using Golog.Storage;

namespace Golog.Client.Tests;

/// <summary>
/// How an idempotent producer numbers batches with several in flight to one partition: the epoch's first batch goes
/// alone, batches reach the connection in the order they were numbered, and a batch refused out of order is retried
/// only when an earlier one may still land (or just did).
/// </summary>
public sealed class ProducerSequencesTests
{
    private static readonly TopicPartition Orders = new("orders", 0);
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task The_first_batch_of_an_epoch_is_answered_before_a_second_is_numbered()
    {
        var sequences = new ProducerSequences(7);
        var first = await sequences.TakeAsync(Orders, 10, CancellationToken.None);

        var second = sequences.TakeAsync(Orders, 5, CancellationToken.None);
        await Task.Delay(50);
        Assert.False(second.IsCompleted); // a broker takes a producer it has not seen at any sequence: this one must not overtake
        sequences.Answered(Orders, first, stored: true);

        Assert.Equal(new ProducerSequence(7, 0, 10), await second.WaitAsync(Bound));
    }

    [Fact]
    public async Task Batches_waiting_for_the_first_are_numbered_in_the_order_they_were_produced()
    {
        var sequences = new ProducerSequences(7);
        var first = await sequences.TakeAsync(Orders, 1, CancellationToken.None);
        // many waiters, woken together: numbered by whoever ran first, the order would come out shuffled
        var waiting = Enumerable.Range(0, 50).Select(i => sequences.TakeAsync(Orders, i % 3 + 1, CancellationToken.None)).ToList();
        sequences.Answered(Orders, first, stored: true);

        var numbered = await Task.WhenAll(waiting).WaitAsync(Bound);
        var expected = 1;
        for (int i = 0; i < numbered.Length; expected += i % 3 + 1, i++)
            Assert.Equal(new ProducerSequence(7, 0, expected), numbered[i]);
    }

    [Fact]
    public async Task When_the_first_batch_is_refused_the_next_waiting_batch_starts_the_new_epoch_alone()
    {
        var sequences = new ProducerSequences(7);
        var first = await sequences.TakeAsync(Orders, 2, CancellationToken.None);
        var second = sequences.TakeAsync(Orders, 1, CancellationToken.None);
        var third = sequences.TakeAsync(Orders, 4, CancellationToken.None);
        sequences.Answered(Orders, first, stored: false);

        var secondNumbered = await second.WaitAsync(Bound);
        Assert.Equal(new ProducerSequence(7, 1, 0), secondNumbered);
        await Task.Delay(50);
        Assert.False(third.IsCompleted);
        sequences.Answered(Orders, secondNumbered, stored: true);
        Assert.Equal(new ProducerSequence(7, 1, 1), await third.WaitAsync(Bound));
    }

    [Fact]
    public async Task A_batch_cancelled_while_it_waits_takes_no_sequence()
    {
        var sequences = new ProducerSequences(7);
        var first = await sequences.TakeAsync(Orders, 1, CancellationToken.None);
        using var cancel = new CancellationTokenSource();
        var cancelled = sequences.TakeAsync(Orders, 5, cancel.Token);
        var after = sequences.TakeAsync(Orders, 1, CancellationToken.None);
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled.WaitAsync(Bound));
        sequences.Answered(Orders, first, stored: true);

        Assert.Equal(new ProducerSequence(7, 0, 1), await after.WaitAsync(Bound)); // no gap the broker would refuse
    }

    [Fact]
    public async Task A_batch_is_written_only_after_every_batch_numbered_before_it()
    {
        var sequences = new ProducerSequences(7);
        var first = await sequences.TakeAsync(Orders, 1, CancellationToken.None);
        var waiting = Enumerable.Range(0, 3).Select(_ => sequences.TakeAsync(Orders, 1, CancellationToken.None)).ToList();
        sequences.Written(Orders, first);
        sequences.Answered(Orders, first, stored: true);
        var (a, b, c) = (await waiting[0], await waiting[1], await waiting[2]);

        // woken together, their continuations may run in any order: the last numbered asks first
        var cTurn = sequences.TurnToWriteAsync(Orders, c, CancellationToken.None);
        var bTurn = sequences.TurnToWriteAsync(Orders, b, CancellationToken.None);
        Assert.True(sequences.TurnToWriteAsync(Orders, a, CancellationToken.None).IsCompleted);
        await Task.Delay(50);
        Assert.False(bTurn.IsCompleted);
        sequences.Written(Orders, a);
        await bTurn.WaitAsync(Bound);
        Assert.False(cTurn.IsCompleted);
        sequences.Written(Orders, b);
        await cTurn.WaitAsync(Bound);
    }

    [Fact]
    public async Task A_batch_answered_before_it_was_written_lets_the_next_one_go()
    {
        var sequences = new ProducerSequences(7);
        var first = await sequences.TakeAsync(Orders, 1, CancellationToken.None);
        sequences.Written(Orders, first);
        sequences.Answered(Orders, first, stored: true);
        var failed = await sequences.TakeAsync(Orders, 1, CancellationToken.None);
        var next = await sequences.TakeAsync(Orders, 1, CancellationToken.None);
        var nextTurn = sequences.TurnToWriteAsync(Orders, next, CancellationToken.None);

        sequences.Answered(Orders, failed, stored: false); // e.g. cancelled while waiting for a connection

        await nextTurn.WaitAsync(Bound); // goes, to be refused for the gap and start a new epoch, instead of waiting forever
    }

    [Fact]
    public async Task A_batch_refused_out_of_order_is_retried_while_an_earlier_one_is_unanswered_or_was_just_stored_and_not_otherwise()
    {
        var sequences = new ProducerSequences(7);
        sequences.Answered(Orders, await sequences.TakeAsync(Orders, 1, CancellationToken.None), stored: true);
        var a = await sequences.TakeAsync(Orders, 1, CancellationToken.None);
        var b = await sequences.TakeAsync(Orders, 1, CancellationToken.None);

        Assert.True(sequences.WaitsForAnEarlierBatch(Orders, b)); // a is still on its way
        sequences.Answered(Orders, a, stored: true); // a's answer handled before b's refusal, though b was refused first
        Assert.True(sequences.WaitsForAnEarlierBatch(Orders, b));
        Assert.False(sequences.WaitsForAnEarlierBatch(Orders, b)); // refused again with nothing earlier left: a real gap
        Assert.False(sequences.WaitsForAnEarlierBatch(Orders, a));
    }
}
