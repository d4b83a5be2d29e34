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
    private int _scanned; // bytes from _start already known to hold no '\n'

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
        start = length = 0;
        int nl = _buffer.AsSpan(_start + _scanned, _end - _start - _scanned).IndexOf((byte)'\n');
        if (nl < 0)
        {
            _scanned = _end - _start;
            // The limit applies to the line without its ending, so a trailing "\r" (maybe the first half of "\r\n")
            // does not count yet: a CRLF client may send the same requests as an LF client.
            int pending = _scanned > 0 && _buffer[_end - 1] == (byte)'\r' ? _scanned - 1 : _scanned;
            if (pending > maxLineBytes) return FrameStatus.TooLong;
            if (_start == _end) { _start = _end = 0; }
            return FrameStatus.NeedMore;
        }
        int lineLength = _scanned + nl;
        if (lineLength > 0 && _buffer[_start + lineLength - 1] == (byte)'\r') lineLength--;
        if (lineLength > maxLineBytes) return FrameStatus.TooLong;
        start = _start;
        length = lineLength;
        _start += _scanned + nl + 1;
        _scanned = 0;
        return FrameStatus.Line;
    }


    /// <summary>Drops buffered bytes (after the connection gave up on framing).</summary>
    public void Clear() => _start = _end = _scanned = 0;
}
