using System.Buffers;
using System.Buffers.Text;
using System.Text.Json;

namespace Golog.Protocol;

/// <summary>
/// A framed fetch reply read in place, for consumers that do not need a string or an object per record: the reply
/// line's bytes are kept as they came, its top-level fields are parsed once, and <see cref="Records"/> walks the
/// records over those bytes (see <see cref="FetchRecordReader"/>). A reply in the "batches" format has its base64
/// decoded once, into a pooled buffer the records are then walked over as RecordBatch v2. Owns pooled buffers:
/// dispose it once the records were read; spans from a disposed reply must not be used.
/// </summary>
public sealed class FetchReply : IDisposable
{
    private byte[]? _line;
    private readonly int _length;
    private readonly int _recordsAt;          // just after the "records" array's '[' (0: the reply has no records)
    private readonly JsonReaderState _recordsState;
    private byte[] _scratch = [];             // unescaped keys and messages of the current record
    private byte[]? _batches;                 // the decoded "batches" (pooled), when the reply has them
    private readonly int _batchesLength;
    private readonly long _fromOffset;

    private FetchReply(byte[] line, int length, long fromOffset, ref Utf8JsonReader r)
    {
        _line = line;
        _length = length;
        _fromOffset = fromOffset;
        if (!r.Read() || r.TokenType != JsonTokenType.StartObject) throw new FormatException("reply is not a JSON object");
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            if (r.ValueTextEquals("id"u8)) { r.Read(); Id = r.TokenType == JsonTokenType.Number ? r.GetInt64() : null; }
            else if (r.ValueTextEquals("ok"u8)) { r.Read(); Ok = r.GetBoolean(); }
            else if (r.ValueTextEquals("error"u8)) { r.Read(); Error = ReplyReader.ReadError(ref r); }
            else if (r.ValueTextEquals("topic"u8)) { r.Read(); Topic = r.GetString(); }
            else if (r.ValueTextEquals("partition"u8)) { r.Read(); Partition = r.GetInt32(); }
            else if (r.ValueTextEquals("high_watermark"u8)) { r.Read(); HighWatermark = r.GetInt64(); }
            else if (r.ValueTextEquals("log_start_offset"u8)) { r.Read(); LogStartOffset = r.GetInt64(); }
            else if (r.ValueTextEquals("records"u8))
            {
                r.Read();
                if (r.TokenType != JsonTokenType.StartArray) throw new FormatException("\"records\" is not an array");
                _recordsAt = (int)r.BytesConsumed;
                _recordsState = r.CurrentState;
                // The broker writes the records last, after every other field: then this one pass is all. A reply
                // laid out otherwise still reads right, at the cost of a pass over the records to find what follows.
                if (HighWatermark is not null && LogStartOffset is not null) return;
                r.Skip();
            }
            else if (r.ValueTextEquals("batches"u8))
            {
                r.Read();
                if (r.TokenType != JsonTokenType.String) throw new FormatException("\"batches\" is not a string");
                (_batches, _batchesLength) = DecodeBase64(ref r);
            }
            else { r.Read(); r.Skip(); }
        }
    }

    /// <summary>The base64 string at the reader, decoded into a pooled buffer (vectorised; the broker never escapes it).</summary>
    private static (byte[], int) DecodeBase64(ref Utf8JsonReader r)
    {
        ReadOnlySpan<byte> encoded = r.ValueIsEscaped ? r.GetString() is { } s ? System.Text.Encoding.ASCII.GetBytes(s) : [] : r.ValueSpan;
        var decoded = ArrayPool<byte>.Shared.Rent(Math.Max(1, Base64.GetMaxDecodedFromUtf8Length(encoded.Length)));
        if (Base64.DecodeFromUtf8(encoded, decoded, out _, out int written) != OperationStatus.Done)
        {
            ArrayPool<byte>.Shared.Return(decoded);
            throw new FormatException("\"batches\" is not base64");
        }
        return (decoded, written);
    }

    /// <summary>
    /// Parses the reply in <paramref name="line"/>[..<paramref name="length"/>], a buffer rented from
    /// <see cref="ArrayPool{T}.Shared"/> that the reply then owns (it goes back to the pool on dispose or on a parse
    /// failure). <paramref name="fromOffset"/> is the offset the fetch asked for: a batch starting below it is
    /// walked from there.
    /// </summary>
    /// <exception cref="FormatException">The line is not a framed reply.</exception>
    public static FetchReply Parse(byte[] line, int length, long fromOffset = 0)
    {
        try
        {
            var r = new Utf8JsonReader(line.AsSpan(0, length));
            return new FetchReply(line, length, fromOffset, ref r);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            ArrayPool<byte>.Shared.Return(line);
            throw e as FormatException ?? new FormatException("malformed reply: " + e.Message, e);
        }
    }

    /// <summary>The request id when it was a number.</summary>
    public long? Id { get; }
    public bool Ok { get; }
    public ProtocolError? Error { get; }
    public string? Topic { get; }
    public int? Partition { get; }
    public long? HighWatermark { get; }
    public long? LogStartOffset { get; }

    /// <summary>The records, read as they are walked; spans handed out are valid until the next record.</summary>
    /// <exception cref="ObjectDisposedException"/>
    public FetchRecordReader Records
    {
        get
        {
            var line = _line ?? throw new ObjectDisposedException(nameof(FetchReply));
            if (_batches is { } batches) return new FetchRecordReader(batches.AsSpan(0, _batchesLength), _fromOffset);
            return _recordsAt == 0 ? default : new FetchRecordReader(this, line.AsSpan(_recordsAt, _length - _recordsAt), _recordsState);
        }
    }

    /// <summary>
    /// Room for <paramref name="bytes"/> unescaped bytes after the first <paramref name="kept"/> (the key's, while
    /// the message is unescaped). A grown buffer need not carry them over: spans into the old one keep it alive.
    /// </summary>
    internal Span<byte> Scratch(int kept, int bytes)
    {
        if (_scratch.Length < kept + bytes) _scratch = new byte[Math.Max(kept + bytes, _scratch.Length * 2)];
        return _scratch.AsSpan(kept, bytes);
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _line, null) is { } line) ArrayPool<byte>.Shared.Return(line);
        if (Interlocked.Exchange(ref _batches, null) is { } batches) ArrayPool<byte>.Shared.Return(batches);
    }
}
