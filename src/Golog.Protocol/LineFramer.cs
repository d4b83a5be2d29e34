namespace Golog.Protocol;

public enum FrameStatus { Line, NeedMore, TooLong }

/// <summary>
/// Cuts a byte stream into '\n'-terminated lines. Keeps the unconsumed tail between reads and grows up to the
/// request limit; a line longer than that is reported once as <see cref="FrameStatus.TooLong"/> (its remaining bytes
/// cannot be framed, so the caller closes the connection). Not thread-safe.
/// </summary>
public sealed class LineFramer(int maxLineBytes, int initialCapacity = 64 * 1024)
{
    private readonly InputBuffer _input = new(Math.Min(initialCapacity, maxLineBytes + 1));
    private LineScanner _scanner = new(maxLineBytes);

    public int Buffered => _input.Length;

    /// <summary>Appends received bytes, compacting or growing the buffer as needed.</summary>
    public void Append(ReadOnlySpan<byte> data) => _input.Append(data);

    /// <summary>Next complete line without its "\n" (a trailing "\r" is dropped too). The span is valid until the next Append.</summary>
    public FrameStatus TryReadLine(out ReadOnlySpan<byte> line)
    {
        var status = TryReadLineMemory(out var memory);
        line = memory.Span;
        return status;
    }

    /// <summary>As <see cref="TryReadLine"/>, for <see cref="LineReader"/>, which hands lines out across awaits.</summary>
    internal FrameStatus TryReadLineMemory(out ReadOnlyMemory<byte> line)
    {
        line = default;
        var unread = _input.Memory;
        var status = _scanner.Next(unread.Span, out int length, out int consumed);
        if (status != FrameStatus.Line) return status;
        line = unread[..length];
        _input.Consume(consumed); // compacting happens only at the next Append, so the line stays valid until then
        return status;
    }

    /// <summary>Drops buffered bytes (after the connection gave up on framing).</summary>
    public void Clear()
    {
        _input.Clear();
        _scanner.Reset();
    }
}
