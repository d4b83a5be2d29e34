using static Golog.Protocol.Tests.Wire;

namespace Golog.Protocol.Tests;

/// <summary>Reading lines from a stream, as the client, the producer console and the perf tool do on their sockets.</summary>
public class LineReaderTests
{
    [Fact]
    public async Task Lines_cut_across_reads_come_out_whole_and_the_end_of_the_stream_is_null()
    {
        var stream = new MemoryStream("ack offset 0\r\nack offset 1\n\nack offset 2\n"u8.ToArray());
        var reader = new LineReader(stream, maxLineBytes: 100, readChunkBytes: 5);

        var lines = new List<string>();
        while (await reader.ReadLineAsync() is { } line) lines.Add(Text(line));

        Assert.Equal(["ack offset 0", "ack offset 1", "", "ack offset 2"], lines);
    }

    [Fact]
    public async Task Lines_already_received_are_returned_without_reading_the_stream_again()
    {
        // One read gets all three; reading again before handing out "b" would find the end (on a socket: block).
        var reader = new LineReader(new MemoryStream("a\nb\nc\nd"u8.ToArray()), maxLineBytes: 100);

        Assert.Equal("a", Text(await reader.ReadLineAsync()));
        Assert.Equal("b", Text(await reader.ReadLineAsync()));
        Assert.True(reader.TryReadBufferedLine(out var c));
        Assert.Equal("c", Text(c));
        Assert.False(reader.TryReadBufferedLine(out _)); // "d" has no line end
        Assert.Null(await reader.ReadLineAsync());
    }

    [Fact]
    public async Task A_line_over_the_limit_is_refused_before_the_rest_of_it_is_read()
    {
        var endless = new MemoryStream(Enumerable.Repeat((byte)'x', 100_000).ToArray());
        var reader = new LineReader(endless, maxLineBytes: 100, readChunkBytes: 10);

        var e = await Assert.ThrowsAsync<LineTooLongException>(async () => await reader.ReadLineAsync());
        Assert.Equal(100, e.MaxLineBytes);
        Assert.True(endless.Position <= 110, $"read {endless.Position} bytes of a line limited to 100");
    }
}
