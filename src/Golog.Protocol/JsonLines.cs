using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Golog.Protocol;

/// <summary>A reusable Utf8JsonWriter that ends every object with '\n'. Base of the framed request and reply writers.</summary>
public abstract class JsonLines
{
    private static readonly JsonWriterOptions Options = new()
    {
        // Most non-ASCII text stays raw UTF-8 (smaller, readable); quotes and controls are escaped, and so are
        // characters outside the Basic Multilingual Plane (emoji), as \uXXXX surrogate pairs: valid JSON, exact round trip.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = true,
    };

    private readonly IBufferWriter<byte> _output;

    protected JsonLines(IBufferWriter<byte> output)
    {
        _output = output;
        Json = new Utf8JsonWriter(output, Options);
    }

    protected Utf8JsonWriter Json { get; }

    protected void EndLine()
    {
        Json.Flush();
        _output.GetSpan(1)[0] = (byte)'\n';
        _output.Advance(1);
        Json.Reset(_output);
    }
}
