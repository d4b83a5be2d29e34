using System.Buffers.Binary;
using System.IO.Compression;
using K4os.Compression.LZ4.Streams;
using Snappier;
using ZstdSharp;

namespace Golog.Storage.Tests;

/// <summary>The producers' side of each codec, from the same managed libraries, to build compressed batches in tests.</summary>
public static class Codecs
{
    public static byte[] Gzip(byte[] data) => Through(data, s => new GZipStream(s, CompressionLevel.Optimal, leaveOpen: true));
    public static byte[] Lz4Frame(byte[] data) => Through(data, s => LZ4Stream.Encode(s, leaveOpen: true));
    public static byte[] Zstd(byte[] data) => Through(data, s => new CompressionStream(s, leaveOpen: true));
    public static byte[] RawSnappy(byte[] data) => Snappy.CompressToArray(data);

    /// <summary>Kafka's Java client's snappy: xerial's stream header, then (length, raw block) chunks of at most <paramref name="chunkSize"/> input bytes.</summary>
    public static byte[] XerialSnappy(byte[] data, int chunkSize)
    {
        var output = new MemoryStream();
        output.Write([0x82, (byte)'S', (byte)'N', (byte)'A', (byte)'P', (byte)'P', (byte)'Y', 0, 0, 0, 0, 1, 0, 0, 0, 1]);
        Span<byte> length = stackalloc byte[4];
        for (int p = 0; p < data.Length; p += chunkSize)
        {
            var chunk = Snappy.CompressToArray(data.AsSpan(p, Math.Min(chunkSize, data.Length - p)));
            BinaryPrimitives.WriteInt32BigEndian(length, chunk.Length);
            output.Write(length);
            output.Write(chunk);
        }
        return output.ToArray();
    }

    private static byte[] Through(byte[] data, Func<Stream, Stream> compressor)
    {
        var output = new MemoryStream();
        using (var compressing = compressor(output)) compressing.Write(data);
        return output.ToArray();
    }
}
