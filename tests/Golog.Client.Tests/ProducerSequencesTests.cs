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
