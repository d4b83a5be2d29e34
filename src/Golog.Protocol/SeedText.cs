using System.Buffers;
using System.Text;

namespace Golog.Protocol;

/// <summary>
/// The seed's plain-text replies: "ack offset N", "offset N: MESSAGE", "error: TEXT". A message's line breaks are
/// written as the two characters \n (also \r) and a backslash as \\, so one record is always one line.
/// </summary>
public static class SeedText
{
    /// <summary>"ack offset N": written in place, allocation-free (it answers every seed-style produce).</summary>
    public static void Ack(IBufferWriter<byte> output, long offset)
    {
        var span = output.GetSpan(32); // "ack offset " + at most 19 digits + '\n'
        "ack offset "u8.CopyTo(span);
        offset.TryFormat(span["ack offset ".Length..], out int digits, provider: System.Globalization.CultureInfo.InvariantCulture);
        span["ack offset ".Length + digits] = (byte)'\n';
        output.Advance("ack offset ".Length + digits + 1);
    }

    /// <summary>Reads an "ack offset N" line (client side); false for anything else, e.g. an "error: TEXT" line.</summary>
    public static bool TryParseAck(ReadOnlySpan<byte> line, out long offset)
    {
        offset = 0;
        return line.StartsWith("ack offset "u8)
               && System.Buffers.Text.Utf8Parser.TryParse(line["ack offset ".Length..], out offset, out int consumed)
               && consumed == line.Length - "ack offset ".Length && offset >= 0;
    }

    public static void Error(IBufferWriter<byte> output, string message)
    {
        var text = "error: " + message.Replace('\n', ' ').Replace('\r', ' ') + "\n";
        var span = output.GetSpan(Encoding.UTF8.GetMaxByteCount(text.Length));
        output.Advance(Encoding.UTF8.GetBytes(text, span));
    }

    public static void Record(IBufferWriter<byte> output, long offset, ReadOnlySpan<byte> message)
    {
        var span = output.GetSpan(32 + message.Length * 2);
        int n = 0;
        "offset "u8.CopyTo(span);
        n += 7;
        offset.TryFormat(span[n..], out int digits);
        n += digits;
        span[n++] = (byte)':';
        span[n++] = (byte)' ';
        foreach (byte b in message)
        {
            switch (b)
            {
                case (byte)'\n': span[n++] = (byte)'\\'; span[n++] = (byte)'n'; break;
                case (byte)'\r': span[n++] = (byte)'\\'; span[n++] = (byte)'r'; break;
                case (byte)'\\': span[n++] = (byte)'\\'; span[n++] = (byte)'\\'; break;
                default: span[n++] = b; break;
            }
        }
        span[n++] = (byte)'\n';
        output.Advance(n);
    }

    /// <summary>The escaping of <see cref="Record"/> for text: a message with line breaks stays on one line.</summary>
    public static string Escape(string message) =>
        message.AsSpan().IndexOfAny('\n', '\r', '\\') < 0 ? message : message.Replace("\\", "\\\\").Replace("\n", "\\n").Replace("\r", "\\r");

    /// <summary>Reverses the escaping of <see cref="Record"/>.</summary>
    public static string Unescape(ReadOnlySpan<char> text)
    {
        var sb = new StringBuilder(text.Length);
        for (int i = 0; i < text.Length; i++)
        {
            if (text[i] == '\\' && i + 1 < text.Length)
            {
                char c = text[++i];
                sb.Append(c switch { 'n' => '\n', 'r' => '\r', _ => c });
            }
            else sb.Append(text[i]);
        }
        return sb.ToString();
    }
}
