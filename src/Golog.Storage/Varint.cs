namespace Golog.Storage;

/// <summary>Kafka's zig-zag varints, used inside RecordBatch v2 records.</summary>
public static class Varint
{
    public static int Size(long value)
    {
        ulong v = (ulong)((value << 1) ^ (value >> 63));
        int n = 1;
        while (v >= 0x80) { v >>= 7; n++; }
        return n;
    }

    public static int Write(Span<byte> dest, long value)
    {
        ulong v = (ulong)((value << 1) ^ (value >> 63));
        int i = 0;
        while (v >= 0x80) { dest[i++] = (byte)(v | 0x80); v >>= 7; }
        dest[i++] = (byte)v;
        return i;
    }

    /// <summary>Reads one varint; returns bytes consumed, or 0 when the input is truncated or longer than 10 bytes.</summary>
    public static int Read(ReadOnlySpan<byte> src, out long value)
    {
        ulong v = 0;
        for (int i = 0, shift = 0; i < src.Length && i < 10; i++, shift += 7)
        {
            byte b = src[i];
            v |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                value = (long)(v >> 1) ^ -(long)(v & 1);
                return i + 1;
            }
        }
        value = 0;
        return 0;
    }
}
