using System.Buffers.Binary;
using System.Text;
using Golog.Storage;

namespace Golog.Core.Groups;

/// <summary>One change to a group's committed offsets, as a record of the group's offsets partition.</summary>
public abstract record OffsetsRecord(string Group);

/// <summary>A commit (reset_offsets writes these too): the group's offset for one partition.</summary>
public sealed record OffsetCommitRecord(string Group, TopicPartition Partition, long Offset) : OffsetsRecord(Group);

/// <summary>A deleted topic: every offset the group had for it is gone.</summary>
public sealed record TopicForgottenRecord(string Group, string Topic) : OffsetsRecord(Group);

/// <summary>
/// The layout of <see cref="OffsetsRecord"/>s in <see cref="OffsetsTopic"/> (docs/architecture.md). Key: int16 kind
/// (1 commit, 2 topic forgotten), uint16 length + UTF-8 group, uint16 length + UTF-8 topic, and for a commit int32
/// partition. Value: a commit's int64 offset; empty for a forgotten topic. Big-endian, as Kafka's own records. The key
/// says what the record is about, so a compacted topic could keep the last record per key.
/// </summary>
public static class OffsetsRecordCodec
{
    private const short CommitKind = 1;
    private const short ForgottenKind = 2;

    public static RecordToAppend Encode(OffsetsRecord record)
    {
        var (kind, topic, partition) = record switch
        {
            OffsetCommitRecord c => (CommitKind, c.Partition.Topic, c.Partition.Partition),
            TopicForgottenRecord f => (ForgottenKind, f.Topic, (int?)null),
            _ => throw new ArgumentException($"unknown offsets record {record.GetType().Name}"),
        };
        var key = new byte[2 + 2 + Encoding.UTF8.GetByteCount(record.Group) + 2 + Encoding.UTF8.GetByteCount(topic) + (partition is null ? 0 : 4)];
        BinaryPrimitives.WriteInt16BigEndian(key, kind);
        int at = WriteString(key, 2, record.Group);
        at = WriteString(key, at, topic);
        if (partition is { } p) BinaryPrimitives.WriteInt32BigEndian(key.AsSpan(at), p);
        byte[] value = [];
        if (record is OffsetCommitRecord commit)
        {
            value = new byte[8];
            BinaryPrimitives.WriteInt64BigEndian(value, commit.Offset);
        }
        return new RecordToAppend(value, key);
    }

    /// <summary>The record a stored key and value hold; null when they are not one (never written by a coordinator).</summary>
    public static OffsetsRecord? Decode(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        if (key.Length < 2) return null;
        short kind = BinaryPrimitives.ReadInt16BigEndian(key);
        int at = 2;
        if (ReadString(key, ref at) is not { } group || ReadString(key, ref at) is not { } topic) return null;
        return kind switch
        {
            CommitKind when key.Length == at + 4 && value.Length == 8 =>
                new OffsetCommitRecord(group, new TopicPartition(topic, BinaryPrimitives.ReadInt32BigEndian(key[at..])), BinaryPrimitives.ReadInt64BigEndian(value)),
            ForgottenKind when key.Length == at && value.Length == 0 => new TopicForgottenRecord(group, topic),
            _ => null,
        };
    }

    private static int WriteString(Span<byte> into, int at, string s)
    {
        int length = Encoding.UTF8.GetBytes(s, into[(at + 2)..]);
        BinaryPrimitives.WriteUInt16BigEndian(into[at..], (ushort)length);
        return at + 2 + length;
    }

    private static string? ReadString(ReadOnlySpan<byte> from, ref int at)
    {
        if (from.Length < at + 2) return null;
        int length = BinaryPrimitives.ReadUInt16BigEndian(from[at..]);
        if (from.Length < at + 2 + length) return null;
        var s = Encoding.UTF8.GetString(from.Slice(at + 2, length));
        at += 2 + length;
        return s;
    }
}

/// <summary>
/// What replaying an offsets partition yields: every group's offsets after the records in log order (the last commit
/// per partition wins; a forgotten topic drops the group's offsets for it). Plain state, filled by the coordinator's
/// loader and handed to the groups it starts.
/// </summary>
public sealed class OffsetsReplay
{
    private readonly Dictionary<string, Dictionary<TopicPartition, long>> _groups = new(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, Dictionary<TopicPartition, long>> Groups => _groups;

    /// <summary>Records that are not offsets records (none a coordinator wrote): skipped, counted for the log.</summary>
    public int Skipped { get; private set; }

    public int Records { get; private set; }

    public void Apply(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        if (OffsetsRecordCodec.Decode(key, value) is { } record) Apply(record);
        else Skipped++;
    }

    public void Apply(OffsetsRecord record)
    {
        Records++;
        if (!_groups.TryGetValue(record.Group, out var offsets)) _groups[record.Group] = offsets = [];
        Apply(offsets, record);
    }

    /// <summary>One record's effect on one group's offsets; the coordinator applies its own acknowledged records the same way.</summary>
    public static void Apply(Dictionary<TopicPartition, long> offsets, OffsetsRecord record)
    {
        switch (record)
        {
            case OffsetCommitRecord c: offsets[c.Partition] = c.Offset; break;
            case TopicForgottenRecord f:
                foreach (var tp in offsets.Keys.Where(tp => tp.Topic == f.Topic).ToList()) offsets.Remove(tp);
                break;
        }
    }
}
