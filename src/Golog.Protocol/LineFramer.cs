namespace Golog.Protocol;

public enum FrameStatus { Line, NeedMore, TooLong }

/// <summary>
/// Cuts a byte stream into '\n'-terminated lines. Keeps the unconsumed tail between reads and grows up to the
/// request limit; a line longer than that is reported once as <see cref="FrameStatus.TooLong"/> (its remaining bytes
/// cannot be framed, so the caller closes the connection). Not thread-safe.
/// </summary>
public sealed class LineFramer(int maxLineBytes, int initialCapacity = 64 * 1024)
{
    private byte[] _buffer = new byte[Math.Min(initialCapacity, maxLineBytes + 1)];
    private int _start;
    private int _end;
    private LineScanner _scanner = new(maxLineBytes);

    public int Buffered => _end - _start;

    /// <summary>Appends received bytes, compacting or growing the buffer as needed.</summary>
    public void Append(ReadOnlySpan<byte> data)
    {
        if (_buffer.Length - _end < data.Length)
        {
            int live = _end - _start;
            if (_buffer.Length - live >= data.Length && _start > 0)
            {
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, live);
            }
            else
            {
                var bigger = new byte[Math.Max(_buffer.Length * 2, live + data.Length)];
                Buffer.BlockCopy(_buffer, _start, bigger, 0, live);
                _buffer = bigger;
            }
            _end = live;
            _start = 0;
        }
        data.CopyTo(_buffer.AsSpan(_end));
        _end += data.Length;
    }

    /// <summary>Next complete line without its "\n" (a trailing "\r" is dropped too). The span is valid until the next Append.</summary>
    public FrameStatus TryReadLine(out ReadOnlySpan<byte> line)
    {
        var status = NextLine(out int start, out int length);
        line = _buffer.AsSpan(start, length);
        return status;
    }

    /// <summary>As <see cref="TryReadLine"/>, for <see cref="LineReader"/>, which hands lines out across awaits.</summary>
    internal FrameStatus TryReadLineMemory(out ReadOnlyMemory<byte> line)
    {
        var status = NextLine(out int start, out int length);
        line = _buffer.AsMemory(start, length);
        return status;
    }

    /// <summary>Where the next complete line is in the buffer; empty unless <see cref="FrameStatus.Line"/>.</summary>
    private FrameStatus NextLine(out int start, out int length)
    {
        start = _start;
        var status = _scanner.Next(_buffer.AsSpan(_start, _end - _start), out length, out int consumed);
        if (status == FrameStatus.Line) _start += consumed;
        else if (status == FrameStatus.NeedMore && _start == _end) _start = _end = 0;
        if (status != FrameStatus.Line) length = 0;
        return status;
    }

    /// <summary>Drops buffered bytes (after the connection gave up on framing).</summary>
    public void Clear()
    {
        _start = _end = 0;
        _scanner.Reset();
    }
}
