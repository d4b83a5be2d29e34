using System.Text;
using System.Text.Json;

namespace Golog.Protocol;

/// <summary>
/// Says what is wrong with a request line that is not well-formed JSON, in the terms of the person who wrote it
/// ("trailing comma after "message" at column 58"), not the JSON library's ("...not supported in this mode. Change
/// the reader options. LineNumber: 0 | BytePositionInLine: 58."). The library reports only where it stopped; what
/// stopped it is read from the bytes there. Columns count characters from 1.
/// </summary>
public static class JsonSyntaxError
{
    /// <param name="line">The request line, valid UTF-8.</param>
    /// <param name="position">Byte offset in <paramref name="line"/> where the reader stopped.</param>
    /// <param name="lastMember">The member name read last, if any: where the problem is, in the writer's terms.</param>
    /// <param name="depth">How deeply nested the reader was; <paramref name="maxDepth"/> is its limit.</param>
    public static string Describe(ReadOnlySpan<byte> line, long position, string? lastMember, int depth, int maxDepth)
    {
        int p = (int)Math.Clamp(position, 0, line.Length);
        if (line[p..].TrimStart(" \t\r\n"u8).IsEmpty)
            return "the line ends before the request is complete (a string, object or array is not closed)";
        var rest = line[p..].TrimStart(" \r\n"u8); // not a tab: the reader stops at one only inside a string
        byte b = rest[0];
        p = line.Length - rest.Length;
        string at = $"at column {Column(line, p)}";
        string after = lastMember is null ? "" : $" after \"{Printable(lastMember)}\"";
        var head = line[..p].TrimEnd(" \t\r\n"u8);
        int before = head.IsEmpty ? -1 : head[^1];

        if (b is (byte)'}' or (byte)']' && before == ',') return $"trailing comma{after} at column {Column(line, head.Length - 1)}";
        if (b == ',' && rest[1..].TrimStart(" \t\r\n"u8) is [(byte)'}' or (byte)']', ..]) return $"trailing comma{after} {at}";
        if (b is (byte)'{' or (byte)'[' && depth >= maxDepth - 1) return $"nested deeper than {maxDepth} levels {at}";
        if (b == '\'') return $"single quotes {at}: JSON strings and names need double quotes (\")";
        if (b == '/') return $"a comment {at}: JSON has no comments";
        if (b == 0) return $"a NUL byte {at}";
        if (b < 0x20) return $"control character U+{b:X4} {at}: inside a string write it escaped (\\n, \\t, \\u{b:X4})";
        if (b == '\\') return $"invalid escape sequence {at}{after}";
        if (before is '{' or ',' && b != '"') return $"a member name without double quotes {at}";
        if (char.IsAsciiLetter((char)b)) return $"unexpected word {at}{after}: strings need double quotes; the literals are true, false and null";
        if (before is '"' or '}' or ']' || char.IsAsciiDigit((char)before) || before is 'e' or 'l')
            return $"missing comma or colon before column {Column(line, p)}{after}";
        return b < 0x80 ? $"unexpected '{(char)b}' {at}{after}" : $"unexpected character {at}{after}";
    }

    /// <summary>Where a <see cref="JsonException"/> stopped, as a byte offset in <paramref name="line"/> (it counts lines and bytes in the line).</summary>
    public static long Position(ReadOnlySpan<byte> line, JsonException e)
    {
        long lineStart = 0;
        for (long n = 0; n < (e.LineNumber ?? 0); n++)
        {
            int next = line[(int)lineStart..].IndexOf((byte)'\n');
            if (next < 0) break;
            lineStart += next + 1;
        }
        return lineStart + (e.BytePositionInLine ?? 0);
    }

    /// <summary>The column (characters, from 1) of a byte offset in the line.</summary>
    public static int Column(ReadOnlySpan<byte> line, int bytePosition) => Encoding.UTF8.GetCharCount(line[..bytePosition]) + 1;

    private static string Printable(string name) =>
        string.Concat((name.Length > 40 ? name[..40] + "..." : name).Select(c => char.IsControl(c) ? '?' : c));
}
