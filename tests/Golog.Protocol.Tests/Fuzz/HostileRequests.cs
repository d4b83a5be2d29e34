using System.Text;
using CsCheck;

namespace Golog.Protocol.Tests.Fuzz;

/// <summary>
/// CsCheck generators of hostile request lines: every request type of docs/protocol.md, seed and framed style, built
/// valid and then mutated (members dropped, added, duplicated or given wrong, huge, negative, NaN-like or deeply
/// nested values; bytes truncated, flipped, NUL or invalid UTF-8 inserted), plus whole lines of junk. A line never
/// holds a '\n' (that would make it two requests). Shared with the end-to-end fuzz test (linked source).
/// </summary>
public static class HostileRequests
{
    /// <summary>The codes the parser may answer with; anything else would be a broker-level code or a bug.</summary>
    public static readonly IReadOnlySet<string> ParserCodes = new HashSet<string> { ErrorCode.InvalidJson, ErrorCode.InvalidRequest, ErrorCode.UnknownType };

    private static readonly string[] MemberNames =
        ["type", "id", "topic", "group", "partition", "partitions", "offset", "message", "messages", "key", "headers",
         "max_messages", "max_bytes", "max_wait_ms", "", "Type", "TYPE", "x", "__proto__", "id\u0000", "tópico"];

    private static readonly string[] HostileValues =
    [
        "\"x\"", "\"\"", "true", "false", "null", "[]", "{}", "[1,2]", "{\"a\":1}", "0", "-1", "-2147483649", "2147483648",
        "9223372036854775807", "9223372036854775808", "-9223372036854775809", "99999999999999999999999999999999",
        "1e400", "-1e400", "1.5", "-0", "0.0", "1E3", "\"NaN\"", "\"Infinity\"", "\"-Infinity\"", "\"1e5\"", "\"0x10\"",
        "NaN", "Infinity", "-Infinity", "0x10", "01", "+1", ".5", "\"\\u0000\"", "\"\\ud800\"", "\"\\udc00\\ud800\"",
        "\"a\\nb\"", "\"\\\\..\\\\..\"", "\"../../etc/passwd\"", "\"/abs\"", "\"CON\"", "\"a/b\"", "\"\\t\"",
        "\"produce\"", "\"fetch\"", "\"commit\"", "\"committed\"", "\"create_topic\"", "\"metadata\"", "\"destroy\"",
        "'single'", "undefined", "\"unterminated", "[\"a\",1]", "{\"k\":1}", "{\"k\":\"v\",\"k2\":null}",
        Nest("[", "]", 20), Nest("[", "]", 200), Nest("{\"a\":", "}", 17), Nest("{\"a\":", "}", 100),
        "\"" + new string('x', 300) + "\"", "\"" + new string('a', 250) + "\"",
    ];

    private static readonly string[] JunkLines =
    [
        "", " ", "   ", "\t", " \t \r", "\r", "null", "[]", "{}", "\"str\"", "42", "{", "}", "{{", "{\"type\"", "{\"type\":}",
        "{\"id\":1}", "{\"id\":1,\"type\":null}", "[{\"type\":\"metadata\",\"id\":1}]", Nest("[", "]", 5000),
        Nest("{\"a\":", "}", 5000), "{\"type\":\"metadata\",\"id\":1}{\"type\":\"metadata\",\"id\":2}", "\u00ef\u00bb\u00bf{}",
    ];

    private static readonly byte[][] BadBytes = [[0], [0xFF], [0xC3, 0x28], [0xC0, 0x80], [0xED, 0xA0, 0x80], [0xF8, 0x88, 0x80, 0x80, 0x80], [0x80], [0xEF, 0xBB, 0xBF]];

    // Member-level steps first (up to Duplicate), byte-level after; None leaves some requests with fewer mutations.
    private enum Mutation { Drop, Add, Replace, Duplicate, Truncate, FlipByte, InsertBadBytes, None }

    private static string Nest(string open, string close, int depth) =>
        string.Concat(Enumerable.Repeat(open, depth)) + "1" + string.Concat(Enumerable.Repeat(close, depth));

    /// <summary>A valid request of every type and style, as ordered members (name, raw JSON value).</summary>
    public static readonly Gen<List<(string Name, string Value)>> ValidRequest = Gen.OneOf(
        Gen.Int[0, 3].Select(p => Members(("type", "\"produce\""), ("topic", "\"t\""), ("partition", $"{p}"), ("message", "\"m\""))),
        Gen.Int[0, 3].Select(p => Members(("type", "\"fetch\""), ("topic", "\"t\""), ("partition", $"{p}"), ("offset", "0"))),
        Gen.Int[0, 9].Select(i => Members(("type", "\"produce\""), ("id", $"{i}"), ("topic", "\"t\""), ("partition", "0"), ("messages", "[\"a\",\"b\"]"), ("key", "\"k\""), ("headers", "{\"h\":\"v\"}"))),
        Gen.Int[0, 9].Select(i => Members(("type", "\"fetch\""), ("id", $"\"f{i}\""), ("topic", "\"t\""), ("partition", "0"), ("offset", "0"), ("max_messages", "10"), ("max_bytes", "1000"), ("max_wait_ms", "0"))),
        Gen.Int[0, 9].Select(i => Members(("type", "\"commit\""), ("id", $"{i}"), ("group", "\"g\""), ("topic", "\"t\""), ("partition", "0"), ("offset", "1"))),
        Gen.Int[0, 9].Select(i => Members(("type", "\"committed\""), ("id", $"{i}"), ("group", "\"g\""), ("topic", "\"t\""), ("partition", "0"))),
        Gen.Int[0, 9].Select(i => Members(("type", "\"create_topic\""), ("id", $"{i}"), ("topic", "\"t\""), ("partitions", "1"))),
        Gen.Int[0, 9].Select(i => Members(("id", $"{i}"), ("type", "\"metadata\""), ("topic", "\"t\""))));

    private static List<(string, string)> Members(params (string, string)[] members) => [.. members];

    /// <summary>One mutation step on a request's members or on its bytes.</summary>
    private static Gen<(Mutation Kind, int A, int B, int C)> Step =>
        Gen.Select(Gen.Enum<Mutation>(), Gen.Int[0, 1000], Gen.Int[0, 1000], Gen.Int[0, 1000]);

    /// <summary>A hostile line: a valid request mutated one to three times, or a line of junk.</summary>
    public static readonly Gen<byte[]> Line = Gen.Frequency(
        (9, Gen.Select(ValidRequest, Step.Array[1, 3], Mutate)),
        (1, Gen.Int[0, JunkLines.Length - 1].Select(i => Encoding.UTF8.GetBytes(JunkLines[i]))));

    private static byte[] Mutate(List<(string Name, string Value)> members, (Mutation Kind, int A, int B, int C)[] steps)
    {
        var m = new List<(string Name, string Value)>(members);
        foreach (var (kind, a, b, _) in steps.Where(s => s.Kind <= Mutation.Duplicate))
        {
            switch (kind)
            {
                case Mutation.Drop when m.Count > 0: m.RemoveAt(a % m.Count); break;
                case Mutation.Add: m.Insert(a % (m.Count + 1), (MemberNames[b % MemberNames.Length], HostileValues[a % HostileValues.Length])); break;
                case Mutation.Replace when m.Count > 0: m[a % m.Count] = (m[a % m.Count].Name, HostileValues[b % HostileValues.Length]); break;
                case Mutation.Duplicate when m.Count > 0: m.Insert(b % (m.Count + 1), (m[a % m.Count].Name, HostileValues[b % HostileValues.Length])); break;
            }
        }
        var bytes = Encoding.UTF8.GetBytes(Json(m)).ToList();
        foreach (var (kind, a, b, c) in steps.Where(s => s.Kind > Mutation.Duplicate))
        {
            switch (kind)
            {
                case Mutation.Truncate: bytes.RemoveRange(a % (bytes.Count + 1), bytes.Count - a % (bytes.Count + 1)); break;
                case Mutation.FlipByte when bytes.Count > 0: bytes[a % bytes.Count] ^= (byte)(1 << (b % 8)); break;
                case Mutation.InsertBadBytes: bytes.InsertRange(a % (bytes.Count + 1), BadBytes[c % BadBytes.Length]); break;
            }
        }
        // a '\n' would end the line early and make two requests of it; the framer strips one trailing '\r' anyway
        return [.. bytes.Select(x => x == (byte)'\n' ? (byte)' ' : x)];
    }

    public static string Json(IEnumerable<(string Name, string Value)> members) =>
        "{" + string.Join(",", members.Select(m => $"\"{m.Name}\":{m.Value}")) + "}";

    /// <summary>For failure messages: the line with every byte outside printable ASCII shown as &lt;&lt;HH&gt;&gt;, as in the corpus.</summary>
    public static string Show(byte[] line) =>
        string.Concat(line.Select(b => b is >= 0x20 and < 0x7F ? ((char)b).ToString() : $"<<{b:X2}>>"));
}
