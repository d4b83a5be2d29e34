using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace Golog.Broker.Doors.Kafka;

/// <summary>
/// Writes Kafka's primitive types into one response frame: <see cref="BeginFrame"/> reserves the int32 size and writes
/// the response header (correlation id), <see cref="EndFrame"/> fills the size in. Reused for every response of a
/// connection; what it returns is valid until the next frame begins.
/// </summary>
public sealed class KafkaWriter
{
    private readonly ArrayBufferWriter<byte> _buffer = new(16 * 1024);

    public void BeginFrame(int correlationId)
    {
        _buffer.ResetWrittenCount();
        Int32(0); // the size, filled in by EndFrame
        Int32(correlationId);
    }

    public ReadOnlySpan<byte> EndFrame()
    {
        var frame = MemoryMarshal.AsMemory(_buffer.WrittenMemory).Span;
        BinaryPrimitives.WriteInt32BigEndian(frame, frame.Length - 4);
        return frame;
    }

    public void Int8(sbyte value) { _buffer.GetSpan(1)[0] = (byte)value; _buffer.Advance(1); }

    public void Bool(bool value) => Int8(value ? (sbyte)1 : (sbyte)0);

    public void Int16(short value) { BinaryPrimitives.WriteInt16BigEndian(_buffer.GetSpan(2), value); _buffer.Advance(2); }

    public void Int32(int value) { BinaryPrimitives.WriteInt32BigEndian(_buffer.GetSpan(4), value); _buffer.Advance(4); }

    public void Int64(long value) { BinaryPrimitives.WriteInt64BigEndian(_buffer.GetSpan(8), value); _buffer.Advance(8); }

    public void String(string value)
    {
        int length = Encoding.UTF8.GetByteCount(value);
        Int16((short)length);
        Encoding.UTF8.GetBytes(value, _buffer.GetSpan(length));
        _buffer.Advance(length);
    }

    public void NullableString(string? value)
    {
        if (value is null) Int16(-1);
        else String(value);
    }

    /// <summary>Nullable bytes, copied as they are (a fetch's stored batches).</summary>
    public void Bytes(ReadOnlySpan<byte> value)
    {
        Int32(value.Length);
        _buffer.Write(value);
    }

    public void NullBytes() => Int32(-1);

    public void ArrayLength(int count) => Int32(count);

    /// <summary>
    /// The topic → partitions layout most responses repeat: each topic's name and partition count, then
    /// <paramref name="partition"/> writes one partition's fields, given the partition and its entry number
    /// (its position in request order, as <see cref="PartPlan.ResultOf"/> counts them).
    /// </summary>
    public void TopicPartitions(TopicPartitions[] topics, Action<int, int> partition)
    {
        int entry = 0;
        ArrayLength(topics.Length);
        foreach (var topic in topics)
        {
            String(topic.Topic);
            ArrayLength(topic.Partitions.Length);
            foreach (int p in topic.Partitions) partition(p, entry++);
        }
    }

    public void UVarint(uint value)
    {
        while (value >= 0x80)
        {
            Int8((sbyte)(value | 0x80));
            value >>= 7;
        }
        Int8((sbyte)value);
    }

    /// <summary>A compact (flexible-version) array's length: count + 1.</summary>
    public void CompactArrayLength(int count) => UVarint((uint)count + 1);

    public void NoTaggedFields() => UVarint(0);
}
