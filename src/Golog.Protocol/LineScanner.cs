namespace Golog.Protocol;

/// <summary>
/// Finds the next '\n'-terminated line at the start of a byte stream's unconsumed bytes, which arrive in pieces. It
/// remembers how far it has already looked, so a long line arriving a piece at a time is scanned once, not once per
/// piece. Shared by <see cref="LineFramer"/> (clients) and the broker's JSON-lines codec. A mutable struct: keep it
/// in a field, never copy it.
/// </summary>
public struct LineScanner(int maxLineBytes)
{
    private int _scanned; // bytes at the start of the input already known to hold no '\n'

    /// <summary>
    /// <see cref="FrameStatus.Line"/>: the line is <paramref name="input"/>[..<paramref name="lineLength"/>] without its
    /// ending ("\n" or "\r\n") and <paramref name="consumed"/> bytes include the ending. <see cref="FrameStatus.NeedMore"/>:
    /// no whole line yet. <see cref="FrameStatus.TooLong"/>: the line is, or already will be, over the limit.
    /// </summary>
    public FrameStatus Next(ReadOnlySpan<byte> input, out int lineLength, out int consumed)
    {
        lineLength = consumed = 0;
        int newline = input[_scanned..].IndexOf((byte)'\n');
        if (newline < 0)
        {
            _scanned = input.Length;
            // The limit applies to the line without its ending, so a trailing "\r" (maybe the first half of "\r\n")
            // does not count yet: a CRLF client may send the same requests as an LF client.
            int pending = input.Length > 0 && input[^1] == (byte)'\r' ? input.Length - 1 : input.Length;
            return pending > maxLineBytes ? FrameStatus.TooLong : FrameStatus.NeedMore;
        }
        int length = _scanned + newline;
        _scanned = 0;
        consumed = length + 1;
        if (length > 0 && input[length - 1] == (byte)'\r') length--;
        lineLength = length;
        return length > maxLineBytes ? FrameStatus.TooLong : FrameStatus.Line;
    }

    /// <summary>Forgets what it has looked at (the input was dropped).</summary>
    public void Reset() => _scanned = 0;
}
