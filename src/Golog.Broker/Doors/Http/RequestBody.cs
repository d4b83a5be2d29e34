using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Golog.Broker.Doors.Http;

/// <summary>A request body read as JSON, or the answer explaining why it cannot be (in the user's terms, not the parser's).</summary>
public readonly record struct ParsedBody(JsonElement? Json, IResult? Error);

public static class RequestBody
{
    /// <summary>Bodies past this are refused with 413 (Kestrel's MaxRequestBodySize): no admin request needs more.</summary>
    public const long MaxBytes = 64 * 1024;

    public static async Task<ParsedBody> ReadJsonAsync(HttpRequest request)
    {
        byte[] bytes;
        try
        {
            using var buffer = new MemoryStream();
            await request.Body.CopyToAsync(buffer);
            bytes = buffer.ToArray();
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return new(null, AdminApi.Problem(HttpStatusCode.RequestEntityTooLarge, "request_too_large", $"the request body is larger than {MaxBytes / 1024} KiB"));
        }
        if (bytes.Length == 0) return new(null, AdminApi.Problem(HttpStatusCode.BadRequest, "invalid_json", "the request body is empty; expected a JSON object"));
        try
        {
            using var doc = JsonDocument.Parse(bytes);
            return new(doc.RootElement.Clone(), null);
        }
        catch (JsonException e)
        {
            string where = e.LineNumber is { } line ? $" (line {line + 1}, column {e.BytePositionInLine + 1})" : "";
            return new(null, AdminApi.Problem(HttpStatusCode.BadRequest, "invalid_json", $"the request body is not valid JSON{where}"));
        }
    }
}
