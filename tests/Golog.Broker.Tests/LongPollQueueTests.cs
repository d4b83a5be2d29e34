using Golog.Core;

namespace Golog.Broker.Tests;

/// <summary>Fetches parked at the log end until the high watermark passes them or their wait runs out.</summary>
public sealed class LongPollQueueTests
{
    [Fact]
    public void Parked_fetches_are_released_once_the_high_watermark_passes_their_offset()
    {
        var polls = new LongPollQueue<string>();
        long t3 = polls.Park("at-3", 3);
        long t5 = polls.Park("at-5", 5);
        Assert.NotEqual(t3, t5);

        Assert.Empty(polls.TakeReady(3)); // nothing at offset 3 yet
        Assert.Equal(["at-3"], polls.TakeReady(4));
        Assert.False(polls.TryExpire(t3, out _)); // already served: its timer finds nothing
        Assert.Equal(1, polls.Count);

        Assert.True(polls.TryExpire(t5, out var expired));
        Assert.Equal("at-5", expired);
        Assert.Equal(0, polls.Count);
        Assert.Empty(polls.TakeReady(100));
    }

    [Fact]
    public void TakeAll_empties_the_long_poll_queue()
    {
        var polls = new LongPollQueue<string>();
        long ticket = polls.Park("a", 0);
        polls.Park("b", 7);
        Assert.Equal(["a", "b"], polls.TakeAll().Order());
        Assert.Equal(0, polls.Count);
        Assert.False(polls.TryExpire(ticket, out _));
    }
}
