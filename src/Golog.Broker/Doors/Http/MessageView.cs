using System.Text;
using System.Text.Json;
using Golog.Core;
using Golog.Storage;

namespace Golog.Broker.Doors.Http;

/// <summary>A key, value or header as the console shows it: "json" (pretty-printed), "text", or "binary" (base64, with a hex preview).</summary>
public sealed record ShownBytes(string Format, string Text, int Bytes);

public sealed record ShownHeader(ShownBytes Key, ShownBytes Value);

public sealed record ShownMessage(long Offset, long Timestamp, ShownBytes? Key, ShownBytes Value, IReadOnlyList<ShownHeader> Headers);

/// <summary>
/// Turns fetched record batches into messages a person can read. Bytes are never put on the page raw: text must be
/// valid UTF-8 without control characters, anything else is binary; the console escapes all of it anyway.
/// </summary>
public static class MessageView
{
    private static readonly UTF8Encoding StrictUtf8 = new(false, throwOnInvalidBytes: true);
    private static readonly JsonSerializerOptions Pretty = new() { WriteIndented = true };
    private const int HexPreviewBytes = 64;

    /// <summary>The records of <paramref name="fetched"/> from its fetch offset on, at most its max messages (whole batches only).</summary>
    public static List<ShownMessage> Messages(Fetched fetched)
    {
        var shown = new List<ShownMessage>();
        var remaining = fetched.Data.Bytes;
        while (shown.Count < fetched.MaxMessages && RecordBatchReader.TryReadHeader(remaining, int.MaxValue, out var info) == BatchStatus.Ok)
        {
            foreach (var record in RecordBatchReader.Records(remaining[..info.Size]))
            {
                if (record.Offset < fetched.FromOffset) continue;
                var headers = new List<ShownHeader>();
                foreach (var h in record.Headers) headers.Add(new ShownHeader(Show(h.Key), Show(h.Value)));
                shown.Add(new ShownMessage(record.Offset, record.Timestamp, record.HasKey ? Show(record.Key) : null, Show(record.Value), headers));
                if (shown.Count == fetched.MaxMessages) break;
            }
            remaining = remaining[info.Size..];
        }
        return shown;
    }

    public static ShownBytes Show(ReadOnlySpan<byte> bytes)
    {
        string text;
        try { text = StrictUtf8.GetString(bytes); }
        catch (DecoderFallbackException) { return Binary(bytes); }
        if (text.Any(c => char.IsControl(c) && c is not ('\n' or '\r' or '\t'))) return Binary(bytes);
        if (text.TrimStart() is ['{' or '[', ..])
        {
            try
            {
                using var doc = JsonDocument.Parse(bytes.ToArray());
                return new ShownBytes("json", JsonSerializer.Serialize(doc.RootElement, Pretty), bytes.Length);
            }
            catch (JsonException) { } // looks like JSON but is not: shown as the text it is
        }
        return new ShownBytes("text", text, bytes.Length);
    }

    private static ShownBytes Binary(ReadOnlySpan<byte> bytes) =>
        new("binary", Convert.ToBase64String(bytes) + "\n" + Convert.ToHexString(bytes[..Math.Min(bytes.Length, HexPreviewBytes)]).ToLowerInvariant()
            + (bytes.Length > HexPreviewBytes ? "…" : ""), bytes.Length);
}
