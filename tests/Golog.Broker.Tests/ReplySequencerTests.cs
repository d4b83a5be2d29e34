using System.Buffers;
using System.Text;
using Golog.Broker.Doors;

namespace Golog.Broker.Tests;

/// <summary>A connection's replies leave in request order, whatever order they complete in.</summary>
public sealed class ReplySequencerTests
{
    [Fact]
    public void Replies_that_complete_out_of_order_are_written_in_request_order()
    {
        var sequencer = new ReplySequencer<string>();
        long s0 = sequencer.Register("zero"), s1 = sequencer.Register("one"), s2 = sequencer.Register("two");
        Assert.True(sequencer.TryGetContext(s1, out var context));
        Assert.Equal("one", context);
        var output = new ArrayBufferWriter<byte>();

        sequencer.Complete(s2, "2;"u8, output);
        sequencer.Complete(s1, "1;"u8, output);
        Assert.Equal(0, output.WrittenCount); // both wait for the first
        // answered early still counts against the connection: their bytes are held until the first reply comes
        Assert.Equal(3, sequencer.Pending);
        Assert.Equal(4, sequencer.EarlyBytes);
        sequencer.Complete(s0, "0;"u8, output);
        Assert.Equal("0;1;2;", Encoding.UTF8.GetString(output.WrittenSpan));
        Assert.Equal(0, sequencer.Pending);
        Assert.Equal(0, sequencer.EarlyBytes);

        sequencer.Complete(s1, "again;"u8, output); // a second reply to the same request is dropped
        sequencer.Complete(99, "unknown;"u8, output);
        Assert.Equal("0;1;2;", Encoding.UTF8.GetString(output.WrittenSpan));

        long s3 = sequencer.Register("three");
        sequencer.Complete(s3, "3;"u8, output);
        Assert.Equal("0;1;2;3;", Encoding.UTF8.GetString(output.WrittenSpan));
    }
}
