using System.Buffers.Binary;
using System.Numerics;

namespace Golog.Storage;

/// <summary>CRC-32C (Castagnoli), as Kafka's RecordBatch v2 uses; hardware-accelerated via BitOperations.</summary>
public static class Crc32C
{
    public static uint Compute(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFFu;
        while (data.Length >= 8)
        {
            crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(data));
            data = data[8..];
        }
        foreach (var b in data) crc = BitOperations.Crc32C(crc, b);
        return ~crc;
    }
}
