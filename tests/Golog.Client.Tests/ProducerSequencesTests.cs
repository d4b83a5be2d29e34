using Golog.Protocol;
using Golog.Storage;

namespace Golog.Client.Tests;

/// <summary>
/// How an idempotent producer numbers batches with several in flight to one partition: the epoch's first batch goes
/// alone, and a batch refused out of order is retried only when an earlier one may still land (or just did).
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
