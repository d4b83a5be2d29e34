using System.Buffers;
using System.Text;

namespace Golog.Protocol.Tests;

/// <summary>Small helpers to turn text into request lines and writer output back into text.</summary>
internal static class Wire
{
    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    public static string Text(ReadOnlySpan<byte> bytes) => Encoding.UTF8.GetString(bytes);

    public static string Text(ReadOnlyMemory<byte> bytes) => Encoding.UTF8.GetString(bytes.Span);

    public static string? Text(ReadOnlyMemory<byte>? bytes) => bytes is { } b ? Text(b) : null;

    public static RequestId Id(string rawJson) => new(Utf8(rawJson));

    public static ParseResult Parse(string line) => RequestParser.Parse(Utf8(line));

    /// <summary>Parses a line that must be accepted.</summary>
    public static Request Accept(string line)
    {
        var result = Parse(line);
        Assert.Null(result.Error);
        Assert.NotNull(result.Request);
        return result.Request;
    }

    /// <summary>Parses a line that must be rejected with <paramref name="code"/>; <paramref name="id"/> null means a seed-style error.</summary>
    public static ProtocolError Reject(ReadOnlySpan<byte> line, string code, string? id = null)
    {
        var result = RequestParser.Parse(line);
        Assert.Null(result.Request);
        Assert.NotNull(result.Error);
        Assert.Equal(code, result.Error.Code);
        Assert.Equal(id, result.Id?.ToString());
        Assert.Equal(id is not null, result.IsFramed);
        return result.Error;
    }

    public static ProtocolError Reject(string line, string code, string? id = null) => Reject(Utf8(line), code, id);

    /// <summary>Everything <paramref name="write"/> put into a fresh buffer writer.</summary>
    public static byte[] Output(Action<IBufferWriter<byte>> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        write(buffer);
        return buffer.WrittenSpan.ToArray();
    }

    public static string OutputText(Action<IBufferWriter<byte>> write) => Text(Output(write));

    public static string Framed(Action<FramedReplyWriter> write) => OutputText(b => write(new FramedReplyWriter(b)));

    /// <summary>A writer's output must be exactly one '\n'-terminated line; returns it without the '\n'.</summary>
    public static byte[] SingleLine(byte[] output)
    {
        Assert.Equal((byte)'\n', output[^1]);
        Assert.Equal(1, output.Count(b => b == (byte)'\n'));
        return output[..^1];
    }
}
