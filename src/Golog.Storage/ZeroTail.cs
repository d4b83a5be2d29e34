using System.Buffers;

namespace Golog.Storage;

/// <summary>
/// Whether a file holds nothing but zeros from a position to its end: what segment preallocation leaves after the last
/// batch (<see cref="LogConfig.PreallocateBytes"/>), which recovery, the seal of a rolled segment and dump-log all
/// read as the end of the log rather than as damage.
/// </summary>
public static class ZeroTail
{
    /// <summary>A positional read: up to <c>destination.Length</c> bytes at <c>position</c>, fewer only at the end.</summary>
    public delegate int ReadAt(Span<byte> destination, long position);

    public static bool From(ReadAt read, long position, long end)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            while (position < end)
            {
                int n = read(buffer.AsSpan(0, (int)Math.Min(buffer.Length, end - position)), position);
                if (n == 0) return true; // the file is shorter than thought: nothing after this
                if (buffer.AsSpan(0, n).ContainsAnyExcept((byte)0)) return false;
                position += n;
            }
            return true;
        }
        finally { ArrayPool<byte>.Shared.Return(buffer); }
    }
}
