using System.Buffers.Binary;
using System.IO.Compression;
using K4os.Compression.LZ4.Streams;
using Snappier;
using ZstdSharp;

namespace Golog.Storage;

/// <summary>
/// Turns the compressed records block of a batch back into records bytes, with managed codecs only. Never trusts
/// the block: a damaged one, or one that would grow past the caller's bound (a zip bomb), is a
/// <see cref="CorruptLogException"/> saying so in a sentence, whatever the codec threw.
/// </summary>
internal static class RecordDecompressor
{
    // xerial's SnappyOutputStream (Kafka's Java client): magic, version and compatible version, then
    // (int32 length, raw snappy block) chunks. librdkafka sends one raw block without it.
    private static ReadOnlySpan<byte> XerialMagic => [0x82, (byte)'S', (byte)'N', (byte)'A', (byte)'P', (byte)'P', (byte)'Y', 0];
    private const int XerialHeaderSize = 16;

    /// <summary>The decompressed records of <paramref name="block"/>: <c>result[..length]</c>.</summary>
    public static byte[] Decompress(BatchCompression codec, ReadOnlySpan<byte> block, int maxBytes, long baseOffset, out int length)
    {
        try
        {
            return codec switch
            {
                BatchCompression.Gzip => ReadBounded(new GZipStream(new MemoryStream(block.ToArray()), CompressionMode.Decompress), maxBytes, out length),
                BatchCompression.Lz4 => ReadBounded(LZ4Stream.Decode(new MemoryStream(block.ToArray())), maxBytes, out length),
                BatchCompression.Zstd => ReadBounded(new DecompressionStream(new MemoryStream(block.ToArray())), maxBytes, out length),
                BatchCompression.Snappy => block.StartsWith(XerialMagic) ? XerialSnappy(block, maxBytes, out length) : RawSnappy(block, maxBytes, out length),
                _ => throw new ArgumentOutOfRangeException(nameof(codec), codec, "not a compression codec"),
            };
        }
        catch (TooLarge)
        {
            throw new CorruptLogException(
                $"batch at offset {baseOffset} decompresses ({codec}) to more than {maxBytes} bytes, more than a batch may hold; its records are not served");
        }
        catch (Exception e) when (e is not (OutOfMemoryException or ArgumentOutOfRangeException or CorruptLogException))
        {
            throw new CorruptLogException($"batch at offset {baseOffset} has a damaged {codec} block: its records cannot be decompressed");
        }
    }

    private static byte[] RawSnappy(ReadOnlySpan<byte> block, int maxBytes, out int length)
    {
        length = Snappy.GetUncompressedLength(block);
        if (length > maxBytes) throw new TooLarge();
        var output = GC.AllocateUninitializedArray<byte>(length);
        if (Snappy.Decompress(block, output) != length) throw new InvalidDataException("snappy block shorter than it says");
        return output;
    }

    private static byte[] XerialSnappy(ReadOnlySpan<byte> block, int maxBytes, out int length)
    {
        var chunks = new List<(int Start, int Size, int Length)>();
        long total = 0;
        for (int p = XerialHeaderSize; p < block.Length;)
        {
            if (block.Length - p < 4) throw new InvalidDataException("xerial chunk length cut short");
            int size = BinaryPrimitives.ReadInt32BigEndian(block[p..]);
            p += 4;
            if (size < 0 || size > block.Length - p) throw new InvalidDataException("xerial chunk longer than the block");
            int chunkLength = Snappy.GetUncompressedLength(block.Slice(p, size));
            total += chunkLength;
            if (total > maxBytes) throw new TooLarge();
            chunks.Add((p, size, chunkLength));
            p += size;
        }
        length = (int)total;
        var output = GC.AllocateUninitializedArray<byte>(length);
        int written = 0;
        foreach (var (start, size, chunkLength) in chunks)
        {
            if (Snappy.Decompress(block.Slice(start, size), output.AsSpan(written)) != chunkLength)
                throw new InvalidDataException("snappy chunk shorter than it says");
            written += chunkLength;
        }
        return output;
    }

    /// <summary>Reads the whole stream into a buffer that grows as needed, never past <paramref name="maxBytes"/>.</summary>
    private static byte[] ReadBounded(Stream decompressed, int maxBytes, out int length)
    {
        using (decompressed)
        {
            var buffer = new byte[4096];
            length = 0;
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (length >= maxBytes) { if (decompressed.ReadByte() < 0) return buffer; throw new TooLarge(); }
                    Array.Resize(ref buffer, (int)Math.Min((long)buffer.Length * 2, maxBytes));
                }
                int n = decompressed.Read(buffer, length, buffer.Length - length);
                if (n == 0) return buffer;
                length += n;
            }
        }
    }

    private sealed class TooLarge : Exception;
}
