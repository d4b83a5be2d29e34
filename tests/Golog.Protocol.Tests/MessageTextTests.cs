using System.Text.Json;
using static Golog.Protocol.Tests.Wire;

namespace Golog.Protocol.Tests;

/// <summary>
/// Message text survives the whole framed path unchanged: produce line → parser → framed fetch reply → ReplyReader,
/// and non-ASCII text travels as raw UTF-8 rather than \u escapes.
/// </summary>
public class MessageTextTests
{
    public static TheoryData<string> Messages() =>
    [
        "plain",
        "",
        "naïve café",
        "日本語のメッセージ",
        "Привет, мир",
        "مرحبا",
        "שלום",
        "emoji 😀🚀 and 𝄞",
        "say \"hi\"",
        "back\\slash and \\n literally",
        "line1\nline2\r\nline3\r",
        "tab\there",
        "\0 nul \u0001 \u001f controls \u007f",
        "</script> & <b>",
        "separators \u2028 \u2029",
        "bom \ufeff zero width \u200b",
        "{\"nested\":\"json\"}",
    ];

    [Theory]
    [MemberData(nameof(Messages))]
    public void A_message_round_trips_from_request_to_framed_fetch_reply(string message)
    {
        string line = $$"""{"type":"produce","id":1,"topic":"orders","partition":0,"message":{{JsonSerializer.Serialize(message)}}}""";
        var request = Accept(line);
        Assert.Equal(Utf8(message), request.Messages[0].ToArray());

        var reply = ReplyReader.Parse(SingleLine(FetchReply(request.Messages[0].Span)));

        Assert.Equal(message, Assert.Single(reply.Records!).Message);
    }

    [Theory]
    [MemberData(nameof(Messages))]
    public void A_message_written_with_raw_utf8_parses_to_the_same_bytes(string message)
    {
        // Only what JSON requires is escaped; everything else is written as raw UTF-8.
        string escaped = message.Replace("\\", "\\\\").Replace("\"", "\\\"");
        escaped = string.Concat(escaped.Select(c => c < 0x20 ? $"\\u{(int)c:x4}" : c.ToString()));
        var request = Accept($$"""{"type":"produce","topic":"orders","message":"{{escaped}}"}""");
        Assert.Equal(Utf8(message), request.Messages[0].ToArray());
    }

    [Theory]
    [MemberData(nameof(Messages))]
    public void A_message_round_trips_in_a_batch_and_in_keys_and_headers(string message)
    {
        string json = JsonSerializer.Serialize(message);
        var request = Accept($$"""{"type":"produce","id":1,"topic":"orders","key":{{json}},"headers":{{{json}}:{{json}}},"messages":[{{json}},"x",{{json}}]}""");
        Assert.Equal(message, Text(request.Key));
        Assert.Equal(message, Text(request.Headers[0].Key));
        Assert.Equal(message, Text(request.Headers[0].Value));
        Assert.Equal([message, "x", message], request.Messages.Select(m => Text(m)).ToArray());

        var output = Output(b =>
        {
            var w = new FramedReplyWriter(b);
            w.BeginFetch(Id("1"), "orders", 0, 1, 0);
            w.BeginRecord(0, 0, true, request.Key!.Value.Span, request.Messages[0].Span);
            w.RecordHeader(request.Headers[0].Key.Span, request.Headers[0].Value.Span);
            w.EndRecord();
            w.EndFetch();
        });
        var record = Assert.Single(ReplyReader.Parse(SingleLine(output)).Records!);
        Assert.Equal(message, record.Key);
        Assert.Equal(message, record.Message);
        Assert.Equal(message, record.Headers![message]);
    }

    [Theory]
    [InlineData("naïve café")]
    [InlineData("日本語のメッセージ")]
    [InlineData("Привет, мир")]
    [InlineData("ελληνικά")]
    [InlineData("हिन्दी")]
    public void Non_ascii_text_is_written_as_raw_utf8_not_escapes(string message)
    {
        var request = Accept($$"""{"type":"produce","id":1,"topic":"orders","message":{{JsonSerializer.Serialize(message)}}}""");
        var output = FetchReply(request.Messages[0].Span);

        Assert.True(output.AsSpan().IndexOf(Utf8(message)) >= 0, Text(output));
        Assert.DoesNotContain("\\u", Text(output));
    }

    [Fact]
    public void Quotes_and_newlines_in_a_message_cannot_break_the_reply_line()
    {
        var output = FetchReply("\"}]}\n{\"id\":2,\"ok\":true}\r\n"u8);
        var line = SingleLine(output);
        Assert.DoesNotContain((byte)'\r', line);
        Assert.Equal("\"}]}\n{\"id\":2,\"ok\":true}\r\n", Assert.Single(ReplyReader.Parse(line).Records!).Message);
    }

    private static byte[] FetchReply(ReadOnlySpan<byte> message)
    {
        byte[] copy = message.ToArray();
        return Output(b =>
        {
            var w = new FramedReplyWriter(b);
            w.BeginFetch(Id("1"), "orders", 0, 1, 0);
            w.BeginRecord(0, 1764000000000, false, default, copy);
            w.EndRecord();
            w.EndFetch();
        });
    }
}
