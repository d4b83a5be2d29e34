using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Golog.Producer;

/// <summary>
/// One request read from stdin, ready for the wire: compacted to a single line, and classified by how many reply
/// lines the broker will send for it.
/// </summary>
internal sealed record SeedRequest(string Line, bool IsSeedFetch)
{
    private static readonly JsonWriterOptions Compact = new()
    {
        // Keep non-ASCII text as UTF-8 rather than \uXXXX, like the rest of the protocol.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = false,
    };

    public static SeedRequest From(string text)
    {
        try
        {
            using var doc = JsonDocument.Parse(text);
            var buffer = new ArrayBufferWriter<byte>(text.Length + 16);
            using (var writer = new Utf8JsonWriter(buffer, Compact)) doc.RootElement.WriteTo(writer);
            return new SeedRequest(Encoding.UTF8.GetString(buffer.WrittenSpan), IsFetchWithoutId(doc.RootElement));
        }
        catch (JsonException)
        {
            // Not JSON: send it anyway (on one line) so the broker's own "error: ..." reply explains the problem.
            return new SeedRequest(text.ReplaceLineEndings(" "), false);
        }
    }

    /// <summary>
    /// A seed-style fetch (no "id") is answered by any number of lines with no end marker; everything else, and
    /// every framed request, by exactly one line.
    /// </summary>
    private static bool IsFetchWithoutId(JsonElement root) =>
        root.ValueKind == JsonValueKind.Object
        && !root.TryGetProperty("id", out _)
        && root.TryGetProperty("type", out var type)
        && type.ValueKind == JsonValueKind.String
        && type.ValueEquals("fetch");
}
