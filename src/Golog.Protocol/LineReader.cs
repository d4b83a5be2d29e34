namespace Golog.Protocol;

/// <summary>
/// Reads '\n'-terminated lines from a stream (a socket, as a rule) with a <see cref="LineFramer"/>: the one reading
/// loop of every client that speaks the line protocol. A line longer than the limit ends the reading with
/// <see cref="LineTooLongException"/> once the limit is passed, without waiting for its end, so a peer cannot make
/// the reader buffer without bound. Not thread-safe; a line is valid until the next read.
/// </summary>
public sealed class LineReader(Stream stream, int maxLineBytes, int readChunkBytes = 64 * 1024)
{
    /// <summary>
    /// The longest reply line a client takes from a broker: fetch replies carry up to max_bytes of messages, which
    /// JSON escaping can inflate several times.
    /// </summary>
    public const int MaxBrokerReplyBytes = 256 * 1024 * 1024;

    private readonly LineFramer _framer = new(maxLineBytes);
    private readonly byte[] _chunk = new byte[readChunkBytes];

    /// <summary>
    /// The next line without its line ending; null once the stream ended. Reads from the stream only when no complete
    /// line is buffered.
    /// </summary>
    /// <exception cref="LineTooLongException"/>
    public async ValueTask<ReadOnlyMemory<byte>?> ReadLineAsync(CancellationToken cancellationToken = default)
    {
        ReadOnlyMemory<byte> line;
        while (!TryReadBufferedLine(out line))
        {
            int n = await stream.ReadAsync(_chunk, cancellationToken).ConfigureAwait(false);
            if (n == 0) return null;
            _framer.Append(_chunk.AsSpan(0, n));
        }
        return line;
    }

    /// <summary>A line that already arrived, if any, without reading from the stream.</summary>
    /// <exception cref="LineTooLongException"/>
    public bool TryReadBufferedLine(out ReadOnlyMemory<byte> line) => _framer.TryReadLineMemory(out line) switch
    {
        FrameStatus.Line => true,
        FrameStatus.TooLong => throw new LineTooLongException(maxLineBytes),
        _ => false,
    };
}
