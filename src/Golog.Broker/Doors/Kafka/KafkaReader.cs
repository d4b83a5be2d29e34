using System.Buffers.Binary;
using System.Text;

namespace Golog.Broker.Doors.Kafka;

/// <summary>A request that does not parse as its API and version say; the door closes the connection, as Kafka does.</summary>
public sealed class KafkaFormatException(string message) : Exception(message);

/// <summary>
/// Reads Kafka's primitive types (big-endian integers, int16-length strings, int32-length bytes and arrays, and the
/// flexible versions' unsigned varints) from one request body. Running past the end, or a negative length where none
/// is allowed, throws <see cref="KafkaFormatException"/> saying what was being read.
/// </summary>
public ref struct KafkaReader(ReadOnlySpan<byte> bytes)
{
    private readonly ReadOnlySpan<byte> _bytes = bytes;
    private int _position;

    public readonly int Remaining => _bytes.Length - _position;

    public sbyte Int8(string field) => (sbyte)Take(1, field)[0];
    public bool Bool(string field) => Take(1, field)[0] != 0;
    public short Int16(string field) => BinaryPrimitives.ReadInt16BigEndian(Take(2, field));
    public int Int32(string field) => BinaryPrimitives.ReadInt32BigEndian(Take(4, field));
    public long Int64(string field) => BinaryPrimitives.ReadInt64BigEndian(Take(8, field));

    public string String(string field) =>
        NullableString(field) ?? throw new KafkaFormatException($"{field} is null where a string is required");

    public string? NullableString(string field)
    {
        short length = Int16(field);
        if (length == -1) return null;
        if (length < 0) throw new KafkaFormatException($"{field} has a negative length ({length})");
        return Utf8(Take(length, field), field);
    }

    /// <summary>Nullable bytes: default (IsNull) for length -1.</summary>
    public ReadOnlySpan<byte> Bytes(string field, out bool isNull)
    {
        int length = Int32(field);
        isNull = length == -1;
        if (isNull) return default;
        if (length < 0) throw new KafkaFormatException($"{field} has a negative length ({length})");
        return Take(length, field);
    }

    /// <summary>An array's element count; -1 (null) only when <paramref name="nullable"/>. Each element takes at least one byte, so a count larger than the bytes left is refused before anything is allocated.</summary>
    public int ArrayLength(string field, bool nullable = false)
    {
        int count = Int32(field);
        if (count == -1 && nullable) return -1;
        if (count < 0) throw new KafkaFormatException($"{field} has a negative element count ({count})");
        if (count > Remaining) throw new KafkaFormatException($"{field} claims {count} elements but only {Remaining} bytes follow");
        return count;
    }

    public uint UVarint(string field)
    {
        uint value = 0;
        for (int shift = 0; shift < 35; shift += 7)
        {
            byte b = Take(1, field)[0];
            value |= (uint)(b & 0x7F) << shift;
            if ((b & 0x80) == 0) return value;
        }
        throw new KafkaFormatException($"{field} is a varint longer than 5 bytes");
    }

    /// <summary>A compact (flexible-version) nullable string: uvarint length + 1, 0 for null.</summary>
    public string? CompactNullableString(string field)
    {
        uint lengthPlusOne = UVarint(field);
        if (lengthPlusOne == 0) return null;
        if (lengthPlusOne - 1 > (uint)Remaining) throw Truncated(field);
        return Utf8(Take((int)(lengthPlusOne - 1), field), field);
    }

    /// <summary>A flexible version's tagged fields: none is understood here, so each is skipped.</summary>
    public void SkipTaggedFields(string field)
    {
        uint count = UVarint(field);
        for (uint i = 0; i < count; i++)
        {
            UVarint(field);
            uint size = UVarint(field);
            if (size > (uint)Remaining) throw Truncated(field);
            Take((int)size, field);
        }
    }

    private ReadOnlySpan<byte> Take(int count, string field)
    {
        if (count > Remaining) throw Truncated(field);
        var span = _bytes.Slice(_position, count);
        _position += count;
        return span;
    }

    private static string Utf8(ReadOnlySpan<byte> bytes, string field)
    {
        try { return StrictUtf8.GetString(bytes); }
        catch (DecoderFallbackException) { throw new KafkaFormatException($"{field} is not valid UTF-8"); }
    }

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly KafkaFormatException Truncated(string field) =>
        new($"the request ends inside {field} (at byte {_position} of {_bytes.Length})");
}
