using static Golog.Protocol.Tests.Wire;

namespace Golog.Protocol.Tests;

/// <summary>The seed's plain-text replies, byte for byte, and the one-record-one-line escaping of fetched messages.</summary>
public class SeedTextTests
{
    [Fact]
    public void Ack_is_the_seeds_ack_line() => Assert.Equal("ack offset 0\n"u8.ToArray(), Output(b => SeedText.Ack(b, 0)));

    [Theory]
    [InlineData(7L, "ack offset 7\n")]
    [InlineData(1234567890123L, "ack offset 1234567890123\n")]
    [InlineData(long.MaxValue, "ack offset 9223372036854775807\n")]
    public void Ack_writes_the_offset_in_decimal(long offset, string expected) =>
        Assert.Equal(Utf8(expected), Output(b => SeedText.Ack(b, offset)));

    [Fact]
    public void Record_is_the_seeds_offset_line() =>
        Assert.Equal("offset 3: hello\n"u8.ToArray(), Output(b => SeedText.Record(b, 3, "hello"u8)));

    [Fact]
    public void Record_of_an_empty_message_keeps_the_space_after_the_colon() =>
        Assert.Equal("offset 0: \n"u8.ToArray(), Output(b => SeedText.Record(b, 0, ""u8)));

    [Fact]
    public void Record_with_the_largest_offset_and_a_message_of_only_escapes_fits()
    {
        var message = Enumerable.Repeat((byte)'\n', 1000).ToArray();
        var output = Output(b => SeedText.Record(b, long.MaxValue, message));
        Assert.Equal("offset 9223372036854775807: " + string.Concat(Enumerable.Repeat("\\n", 1000)) + "\n", Text(output));
    }

    [Fact]
    public void Error_is_the_seeds_error_line() =>
        Assert.Equal("error: topic not found\n"u8.ToArray(), Output(b => SeedText.Error(b, "topic not found")));

    [Fact]
    public void Error_text_is_kept_on_one_line() =>
        Assert.Equal("error: bad  line here\n", OutputText(b => SeedText.Error(b, "bad\r\nline\nhere")));

    [Fact]
    public void Error_text_keeps_non_ascii_as_utf8() =>
        Assert.Equal(Utf8("error: topic «заказы» is unknown\n"), Output(b => SeedText.Error(b, "topic «заказы» is unknown")));

    [Fact]
    public void A_seed_request_error_becomes_one_error_line()
    {
        var result = Parse("""{"type":"produce","topic":"orders","partition":-1,"message":"x"}""");
        Assert.False(result.IsFramed);
        var text = OutputText(b => SeedText.Error(b, result.Error!.Message));
        Assert.StartsWith("error: ", text);
        Assert.Single(text.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Theory]
    [InlineData("line1\nline2", "line1\\nline2")]
    [InlineData("cr\rlf", "cr\\rlf")]
    [InlineData("back\\slash", "back\\\\slash")]
    [InlineData("windows\r\nline", "windows\\r\\nline")]
    [InlineData("literal \\n stays", "literal \\\\n stays")]
    [InlineData("\n", "\\n")]
    [InlineData("trailing\\", "trailing\\\\")]
    [InlineData("tab\tand \"quotes\"", "tab\tand \"quotes\"")]
    public void Record_escapes_line_breaks_and_backslashes(string message, string escaped) =>
        Assert.Equal("offset 1: " + escaped + "\n", OutputText(b => SeedText.Record(b, 1, Utf8(message))));

    [Theory]
    [InlineData("plain")]
    [InlineData("")]
    [InlineData("line1\nline2\nline3")]
    [InlineData("cr\r\nlf")]
    [InlineData("\\")]
    [InlineData("\\\\")]
    [InlineData("\\n is not a newline")]
    [InlineData("\\r\\n\r\n\\\n")]
    [InlineData("trailing backslash \\")]
    [InlineData("naïve — 日本語 😀")]
    public void Record_escaping_round_trips_through_unescape(string message)
    {
        var line = OutputText(b => SeedText.Record(b, 42, Utf8(message)));
        Assert.EndsWith("\n", line);
        Assert.Single(line.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.DoesNotContain('\r', line);
        const string prefix = "offset 42: ";
        Assert.StartsWith(prefix, line);
        Assert.Equal(message, SeedText.Unescape(line.AsSpan(prefix.Length, line.Length - prefix.Length - 1)));
    }

    [Fact]
    public void Record_escaping_round_trips_every_byte_pattern_of_escapable_characters()
    {
        // All strings of length <= 6 over the alphabet that matters.
        char[] alphabet = ['\n', '\r', '\\', 'n', 'r', 'x'];
        var strings = new List<string> { "" };
        for (int length = 1; length <= 6; length++)
            strings = [.. strings, .. strings.Where(s => s.Length == length - 1).SelectMany(s => alphabet.Select(c => s + c))];
        foreach (var message in strings)
        {
            var line = OutputText(b => SeedText.Record(b, 0, Utf8(message)));
            Assert.Equal(message, SeedText.Unescape(line.AsSpan("offset 0: ".Length, line.Length - "offset 0: ".Length - 1)));
        }
    }

    [Fact]
    public void Unescape_leaves_a_lone_trailing_backslash_alone() => Assert.Equal("a\\", SeedText.Unescape("a\\"));

    [Fact]
    public void A_seed_produce_then_fetch_shows_the_message_as_one_record_line()
    {
        var produced = Accept("""{"type":"produce","topic":"orders","partition":0,"message":"hello"}""");
        Assert.Equal("offset 3: hello\n", OutputText(b => SeedText.Record(b, 3, produced.Messages[0].Span)));
    }

    [Fact]
    public void Several_seed_replies_on_one_buffer_are_consecutive_lines()
    {
        var text = OutputText(b =>
        {
            SeedText.Ack(b, 0);
            SeedText.Record(b, 0, "a"u8);
            SeedText.Record(b, 1, "b\nc"u8);
            SeedText.Error(b, "boom");
        });
        Assert.Equal("ack offset 0\noffset 0: a\noffset 1: b\\nc\nerror: boom\n", text);
    }
}
