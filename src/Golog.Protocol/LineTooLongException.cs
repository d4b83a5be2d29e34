namespace Golog.Protocol;

/// <summary>The peer sent a line longer than the reader's limit; the rest of the stream cannot be framed.</summary>
public sealed class LineTooLongException(int maxLineBytes) : IOException($"a line is longer than {maxLineBytes} bytes")
{
    public int MaxLineBytes { get; } = maxLineBytes;
}
