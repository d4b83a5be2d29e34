namespace Golog.Storage;

public readonly record struct RecordHeader(ReadOnlyMemory<byte> Key, ReadOnlyMemory<byte> Value);

/// <summary>One record with its own key, headers and timestamp (null: the append's timestamp).</summary>
public readonly record struct RecordToAppend(
    ReadOnlyMemory<byte> Value,
    ReadOnlyMemory<byte>? Key = null,
    ReadOnlyMemory<RecordHeader> Headers = default,
    long? TimestampMs = null);

/// <summary>
/// What a produce asks to store, in one of two forms. Shared: <see cref="Values"/>, plus a <see cref="Key"/> and
/// <see cref="Headers"/> that every record of the batch carries (the JSON produce). Per record: <see cref="PerRecord"/>,
/// each with its own key, headers and timestamp; <see cref="Values"/>, <see cref="Key"/> and <see cref="Headers"/>
/// are then unused. Everything is a slice of the caller's buffers; nothing is copied until the batch is encoded.
/// </summary>
public readonly record struct RecordsToAppend(
    ReadOnlyMemory<ReadOnlyMemory<byte>> Values,
    ReadOnlyMemory<byte>? Key = null,
    ReadOnlyMemory<RecordHeader> Headers = default)
{
    public RecordsToAppend(ReadOnlyMemory<RecordToAppend> perRecord) : this(ReadOnlyMemory<ReadOnlyMemory<byte>>.Empty) =>
        PerRecord = perRecord;

    public ReadOnlyMemory<RecordToAppend> PerRecord { get; }

    public int Count => PerRecord.IsEmpty ? Values.Length : PerRecord.Length;

    /// <summary>Record <paramref name="index"/> as it is stored, whichever form the batch was given in.</summary>
    public RecordToAppend this[int index] =>
        PerRecord.IsEmpty ? new RecordToAppend(Values.Span[index], Key, Headers) : PerRecord.Span[index];
}
