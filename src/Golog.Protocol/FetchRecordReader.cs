using System.Text;
using System.Text.Json;
using Golog.Storage;

namespace Golog.Protocol;

/// <summary>
/// Walks the records of a <see cref="FetchReply"/> over the reply's bytes: <c>foreach (var record in reply.Records)</c>.
/// A key or message without JSON escapes is a slice of the reply itself; one with escapes is unescaped into a buffer
/// the reply reuses. A reply in the "batches" format is walked batch by batch (each CRC-checked, a compressed one
/// decompressed), every key and message a slice of the batch. Nothing is allocated per record.
/// </summary>
/// <exception cref="FormatException">From <see cref="MoveNext"/>: the records are not well-formed.</exception>
public ref struct FetchRecordReader
{
    private readonly FetchReply? _reply;
    private readonly ReadOnlySpan<byte> _json;
    private Utf8JsonReader _r;
    private FetchedRecordView _current;
    private readonly bool _batchFormat;
    private ReadOnlySpan<byte> _batches;   // the batches not walked yet
    private RecordEnumerator _batch;       // the records of the batch being walked
    private bool _inBatch;
    private readonly long _fromOffset;

    internal FetchRecordReader(FetchReply reply, ReadOnlySpan<byte> json, JsonReaderState state)
    {
        _reply = reply;
        _json = json;
        _r = new Utf8JsonReader(json, isFinalBlock: true, state);
    }

    internal FetchRecordReader(ReadOnlySpan<byte> batches, long fromOffset)
    {
        _batchFormat = true;
        _batches = batches;
        _fromOffset = fromOffset;
    }

    public readonly FetchRecordReader GetEnumerator() => this;

    public readonly FetchedRecordView Current => _current;

    public bool MoveNext()
    {
        if (_batchFormat) return MoveNextInBatches();
        if (_reply is null) return false; // a reply without records
        try
        {
            if (!_r.Read()) throw new FormatException("malformed reply: it ends inside \"records\"");
            if (_r.TokenType == JsonTokenType.EndArray)
            {
                // The rest of the reply (as the broker writes it, the closing '}') must be whole too: a reply cut
                // short after its last record is a broken reply, not a complete one.
                while (_r.Read()) { }
                return false;
            }
            if (_r.TokenType != JsonTokenType.StartObject) throw new FormatException("malformed reply: a record is not an object");
            long offset = 0, timestamp = 0;
            bool hasKey = false;
            ReadOnlySpan<byte> key = default, message = default, headers = default;
            while (_r.Read() && _r.TokenType == JsonTokenType.PropertyName)
            {
                if (_r.ValueTextEquals("offset"u8)) { _r.Read(); offset = _r.GetInt64(); }
                else if (_r.ValueTextEquals("timestamp"u8)) { _r.Read(); timestamp = _r.GetInt64(); }
                else if (_r.ValueTextEquals("key"u8))
                {
                    _r.Read();
                    hasKey = _r.TokenType != JsonTokenType.Null;
                    key = hasKey ? Unescaped(kept: key.Length) : default;
                }
                else if (_r.ValueTextEquals("message"u8))
                {
                    _r.Read();
                    message = _r.TokenType == JsonTokenType.Null ? default : Unescaped(kept: key.Length);
                }
                else if (_r.ValueTextEquals("headers"u8))
                {
                    _r.Read();
                    int start = (int)_r.TokenStartIndex;
                    _r.Skip();
                    headers = _json[start..(int)_r.BytesConsumed];
                }
                else { _r.Read(); _r.Skip(); }
            }
            _current = new FetchedRecordView(offset, timestamp, hasKey, key, message, headers);
            return true;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            throw new FormatException("malformed reply: " + e.Message, e);
        }
    }

    /// <summary>The next record at or after the offset asked for, over the batches (the first may start below it).</summary>
    private bool MoveNextInBatches()
    {
        try
        {
            while (true)
            {
                while (_inBatch && _batch.MoveNext())
                {
                    var record = _batch.Current;
                    if (record.Offset < _fromOffset) continue;
                    _current = new FetchedRecordView(record.Offset, record.Timestamp, record.HasKey, record.Key, record.Value,
                        record.HeaderBytes, record.HeaderCount);
                    return true;
                }
                _inBatch = false;
                if (_batches.IsEmpty) return false;
                var status = RecordBatchReader.Validate(_batches, int.MaxValue, out var info);
                if (status != BatchStatus.Ok)
                    throw new FormatException(status == BatchStatus.Incomplete
                        ? "malformed reply: its last batch is cut short"
                        : "malformed reply: a batch fails its header or CRC check");
                _batch = RecordBatchReader.Records(_batches[..info.Size]);
                _batches = _batches[info.Size..];
                _inBatch = true;
            }
        }
        catch (Exception e) when (e is InvalidDataException or CorruptLogException)
        {
            throw new FormatException("malformed reply: " + e.Message, e);
        }
    }

    /// <summary>The current string token's UTF-8 bytes without JSON escapes.</summary>
    private readonly ReadOnlySpan<byte> Unescaped(int kept)
    {
        if (_r.TokenType != JsonTokenType.String) throw new FormatException("malformed reply: a key or message is not a string");
        if (!_r.ValueIsEscaped) return _r.ValueSpan;
        // Unescaping never makes a string longer.
        var into = _reply!.Scratch(kept, _r.ValueSpan.Length);
        return into[.._r.CopyString(into)];
    }
}

/// <summary>
/// One fetched record as spans over the reply (valid until the reader moves on): UTF-8 key and message, already
/// unescaped. Strings and the headers dictionary are made only when asked for.
/// </summary>
public readonly ref struct FetchedRecordView
{
    private readonly ReadOnlySpan<byte> _headersJson;   // a JSON reply's "headers" object
    private readonly ReadOnlySpan<byte> _headerBytes;   // or a batch record's encoded headers
    private readonly int _headerCount;

    public FetchedRecordView(long offset, long timestamp, bool hasKey, ReadOnlySpan<byte> key, ReadOnlySpan<byte> message,
        ReadOnlySpan<byte> headersJson)
    {
        (Offset, Timestamp, HasKey) = (offset, timestamp, hasKey);
        Key = key;
        Message = message;
        _headersJson = headersJson;
    }

    internal FetchedRecordView(long offset, long timestamp, bool hasKey, ReadOnlySpan<byte> key, ReadOnlySpan<byte> message,
        ReadOnlySpan<byte> headerBytes, int headerCount)
    {
        (Offset, Timestamp, HasKey) = (offset, timestamp, hasKey);
        Key = key;
        Message = message;
        _headerBytes = headerBytes;
        _headerCount = headerCount;
    }

    public long Offset { get; }
    public long Timestamp { get; }
    /// <summary>False for a record stored without a key (JSON null); an empty key is a key.</summary>
    public bool HasKey { get; }
    public ReadOnlySpan<byte> Key { get; }
    public ReadOnlySpan<byte> Message { get; }

    public string? KeyString() => HasKey ? Encoding.UTF8.GetString(Key) : null;

    public string MessageString() => Encoding.UTF8.GetString(Message);

    /// <summary>The record's headers, or null when it has none.</summary>
    public IReadOnlyDictionary<string, string>? Headers()
    {
        if (_headerCount > 0)
        {
            var stored = new Dictionary<string, string>();
            foreach (var h in new HeaderEnumerator(_headerBytes, _headerCount))
                stored[Encoding.UTF8.GetString(h.Key)] = Encoding.UTF8.GetString(h.Value);
            return stored;
        }
        if (_headersJson.IsEmpty) return null;
        var r = new Utf8JsonReader(_headersJson);
        r.Read();
        var headers = new Dictionary<string, string>();
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            string name = r.GetString()!;
            r.Read();
            headers[name] = r.GetString()!;
        }
        return headers;
    }

    /// <summary>The record as an object with strings, as <see cref="ReplyReader"/> makes it.</summary>
    public FetchedRecord ToRecord() => new(Offset, Timestamp, KeyString(), MessageString(), Headers());
}
