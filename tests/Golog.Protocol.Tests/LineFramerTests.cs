using System.Text;
using static Golog.Protocol.Tests.Wire;

namespace Golog.Protocol.Tests;

/// <summary>Cutting a received byte stream into request lines.</summary>
public class LineFramerTests
{
    /// <summary>Every complete line now buffered (copied, since a line is only valid until the next Append).</summary>
    private static List<string> Drain(LineFramer framer)
    {
        var lines = new List<string>();
        FrameStatus status;
        while ((status = framer.TryReadLine(out var line)) == FrameStatus.Line) lines.Add(Text(line));
        Assert.Equal(FrameStatus.NeedMore, status);
        return lines;
    }

    [Fact]
    public void An_empty_framer_needs_more()
    {
        var framer = new LineFramer(100);
        Assert.Equal(FrameStatus.NeedMore, framer.TryReadLine(out var line));
        Assert.True(line.IsEmpty);
        Assert.Equal(0, framer.Buffered);
    }

    [Fact]
    public void A_partial_line_waits_for_its_newline()
    {
        var framer = new LineFramer(100);
        framer.Append("{\"type\":"u8);
        Assert.Empty(Drain(framer));
        Assert.Equal(8, framer.Buffered);
        framer.Append("\"metadata\"}\n"u8);
        Assert.Equal(["{\"type\":\"metadata\"}"], Drain(framer));
        Assert.Equal(0, framer.Buffered);
    }

    [Fact]
    public void A_line_split_byte_by_byte_is_framed_once_complete()
    {
        var framer = new LineFramer(1000, initialCapacity: 4);
        var input = Utf8("""{"type":"produce","topic":"orders","partition":0,"message":"日本語"}""" + "\n" + """{"type":"fetch","topic":"orders"}""" + "\n");
        var lines = new List<string>();
        foreach (byte b in input)
        {
            framer.Append([b]);
            lines.AddRange(Drain(framer));
        }
        Assert.Equal(
            ["""{"type":"produce","topic":"orders","partition":0,"message":"日本語"}""", """{"type":"fetch","topic":"orders"}"""],
            lines.ToArray());
        Assert.Equal(0, framer.Buffered);
    }

    [Fact]
    public void Several_lines_in_one_append_come_out_one_by_one_and_the_tail_is_kept()
    {
        var framer = new LineFramer(100);
        framer.Append("one\ntwo\nthree\nfou"u8);
        Assert.Equal(["one", "two", "three"], Drain(framer).ToArray());
        Assert.Equal(3, framer.Buffered);
        framer.Append("r\n"u8);
        Assert.Equal(["four"], Drain(framer).ToArray());
    }

    [Fact]
    public void Crlf_line_endings_are_dropped_with_the_line_feed()
    {
        var framer = new LineFramer(100);
        framer.Append("a\r\nb\nc\r\n"u8);
        Assert.Equal(["a", "b", "c"], Drain(framer).ToArray());
    }

    [Fact]
    public void A_crlf_split_between_appends_is_still_one_line_ending()
    {
        var framer = new LineFramer(100);
        framer.Append("abc\r"u8);
        Assert.Empty(Drain(framer));
        framer.Append("\n"u8);
        Assert.Equal(["abc"], Drain(framer).ToArray());
    }

    [Fact]
    public void A_carriage_return_inside_a_line_is_kept()
    {
        var framer = new LineFramer(100);
        framer.Append("a\rb\r\r\n"u8);
        Assert.Equal(["a\rb\r"], Drain(framer).ToArray());
    }

    [Fact]
    public void Empty_lines_are_framed_as_empty_lines()
    {
        var framer = new LineFramer(100);
        framer.Append("\n\r\nx\n"u8);
        Assert.Equal(["", "", "x"], Drain(framer).ToArray());
    }

    [Fact]
    public void A_line_exactly_at_the_limit_is_accepted()
    {
        var framer = new LineFramer(10, initialCapacity: 4);
        framer.Append("0123456789"u8);
        Assert.Equal(FrameStatus.NeedMore, framer.TryReadLine(out _));
        framer.Append("\n"u8);
        Assert.Equal(FrameStatus.Line, framer.TryReadLine(out var line));
        Assert.Equal("0123456789", Text(line));
    }

    [Fact]
    public void A_line_exactly_at_the_limit_ended_by_crlf_is_accepted()
    {
        // The "\r" belongs to the line ending: a CRLF client may send the same requests as an LF client.
        var framer = new LineFramer(10, initialCapacity: 4);
        framer.Append("0123456789\r"u8);
        Assert.Equal(FrameStatus.NeedMore, framer.TryReadLine(out _));
        framer.Append("\n0123456789\r\n"u8);
        Assert.Equal(["0123456789", "0123456789"], Drain(framer).ToArray());
    }

    [Fact]
    public void A_line_one_past_the_limit_before_its_crlf_is_too_long()
    {
        var framer = new LineFramer(10);
        framer.Append("0123456789a\r"u8);
        Assert.Equal(FrameStatus.TooLong, framer.TryReadLine(out _));
        var complete = new LineFramer(10);
        complete.Append("0123456789a\r\n"u8);
        Assert.Equal(FrameStatus.TooLong, complete.TryReadLine(out _));
    }

    [Fact]
    public void A_carriage_return_past_the_limit_not_followed_by_a_line_feed_is_too_long()
    {
        var framer = new LineFramer(10);
        framer.Append("0123456789\r"u8);
        Assert.Equal(FrameStatus.NeedMore, framer.TryReadLine(out _));
        framer.Append("x"u8);
        Assert.Equal(FrameStatus.TooLong, framer.TryReadLine(out _));
    }

    [Fact]
    public void A_line_longer_than_the_limit_is_too_long_before_its_newline_arrives()
    {
        var framer = new LineFramer(10, initialCapacity: 4);
        framer.Append("0123456789"u8);
        Assert.Equal(FrameStatus.NeedMore, framer.TryReadLine(out _));
        framer.Append("a"u8);
        Assert.Equal(FrameStatus.TooLong, framer.TryReadLine(out var line));
        Assert.True(line.IsEmpty);
    }

    [Fact]
    public void A_line_longer_than_the_limit_is_too_long_even_when_complete()
    {
        var framer = new LineFramer(10);
        framer.Append("01234567890\nok\n"u8);
        Assert.Equal(FrameStatus.TooLong, framer.TryReadLine(out _));
    }

    [Fact]
    public void A_too_long_line_after_good_lines_is_reported_after_them()
    {
        var framer = new LineFramer(10);
        framer.Append("good\nalso good\n"u8);
        framer.Append(Utf8(new string('x', 50)));
        Assert.Equal(FrameStatus.Line, framer.TryReadLine(out var a));
        Assert.Equal("good", Text(a));
        Assert.Equal(FrameStatus.Line, framer.TryReadLine(out var b));
        Assert.Equal("also good", Text(b));
        Assert.Equal(FrameStatus.TooLong, framer.TryReadLine(out _));
    }

    [Fact]
    public void A_too_long_line_fed_byte_by_byte_is_reported_as_soon_as_it_passes_the_limit()
    {
        var framer = new LineFramer(16, initialCapacity: 2);
        for (int i = 0; i < 16; i++)
        {
            framer.Append("x"u8);
            Assert.Equal(FrameStatus.NeedMore, framer.TryReadLine(out _));
        }
        framer.Append("x"u8);
        Assert.Equal(FrameStatus.TooLong, framer.TryReadLine(out _));
    }

    [Fact]
    public void Clear_drops_everything_buffered()
    {
        var framer = new LineFramer(10);
        framer.Append(Utf8(new string('x', 50)));
        Assert.Equal(FrameStatus.TooLong, framer.TryReadLine(out _));
        framer.Clear();
        Assert.Equal(0, framer.Buffered);
        framer.Append("ok\n"u8);
        Assert.Equal(["ok"], Drain(framer).ToArray());
    }

    [Fact]
    public void Compaction_keeps_a_partial_line_intact()
    {
        // Capacity 16: after "0123456789\n" is consumed, the tail "abcd" sits at offset 11; appending 8 more bytes
        // must move it to the front rather than lose or reorder it.
        var framer = new LineFramer(100, initialCapacity: 16);
        framer.Append("0123456789\nabcd"u8);
        Assert.Equal(["0123456789"], Drain(framer).ToArray());
        framer.Append("efgh\nij"u8);
        Assert.Equal(["abcdefgh"], Drain(framer).ToArray());
        framer.Append("\n"u8);
        Assert.Equal(["ij"], Drain(framer).ToArray());
    }

    [Fact]
    public void Growth_keeps_a_partial_line_intact()
    {
        var framer = new LineFramer(1000, initialCapacity: 8);
        framer.Append("abcdef"u8);
        Assert.Empty(Drain(framer));
        framer.Append(Utf8(new string('g', 100) + "\nend\n"));
        Assert.Equal(["abcdef" + new string('g', 100), "end"], Drain(framer).ToArray());
    }

    [Fact]
    public void An_append_larger_than_the_limit_holding_many_short_lines_is_framed()
    {
        // Pipelined requests may arrive in one read larger than the per-line limit.
        var framer = new LineFramer(8, initialCapacity: 4);
        var lines = Enumerable.Range(0, 200).Select(i => i.ToString()).ToArray();
        framer.Append(Utf8(string.Join("\n", lines) + "\n"));
        Assert.Equal(lines, Drain(framer).ToArray());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(16)]
    [InlineData(64 * 1024)]
    public void Many_cycles_of_random_lines_and_chunk_sizes_keep_every_byte_in_order(int initialCapacity)
    {
        var random = new Random(12345 + initialCapacity);
        const int maxLine = 300;
        var framer = new LineFramer(maxLine, initialCapacity);
        var expected = new List<string>();
        var stream = new MemoryStream();
        for (int i = 0; i < 3000; i++)
        {
            int length = random.Next(0, maxLine + 1);
            var sb = new StringBuilder(length);
            for (int j = 0; j < length; j++) sb.Append((char)random.Next('!', '~' + 1));
            string line = sb.ToString();
            expected.Add(line);
            stream.Write(Utf8(line));
            stream.Write(random.Next(4) == 0 ? "\r\n"u8 : "\n"u8);
        }

        var bytes = stream.ToArray();
        var actual = new List<string>();
        int pos = 0;
        while (pos < bytes.Length)
        {
            int chunk = Math.Min(bytes.Length - pos, random.Next(3) switch { 0 => 1, 1 => random.Next(1, 64), _ => random.Next(1, 4 * maxLine) });
            framer.Append(bytes.AsSpan(pos, chunk));
            pos += chunk;
            actual.AddRange(Drain(framer));
            Assert.True(framer.Buffered <= maxLine + 1, $"{framer.Buffered} bytes buffered with no complete line");
        }

        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++) Assert.Equal(expected[i], actual[i]);
        Assert.Equal(0, framer.Buffered);
    }
}
