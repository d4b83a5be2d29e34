using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Golog.Protocol.Tests.Fuzz;

/// <summary>
/// The fixed corpus of known-nasty request lines (corpus/*.txt, copied next to the tests), replayed on every run.
/// One case per line: the expected error code, a tab, the request line. "&lt;&lt;HH&gt;&gt;" stands for the byte
/// 0xHH (NUL, invalid UTF-8, a whitespace-only line that an editor would trim); lines starting with '#' are comments.
/// A parser code (invalid_json, invalid_request, unknown_type) must come from the parser; any other code means the
/// parser accepts the line and the broker refuses it.
/// </summary>
public static partial class NastyCorpus
{
    public sealed record Case(string File, int LineNumber, string Code, byte[] Line)
    {
        public bool IsParserCode => HostileRequests.ParserCodes.Contains(Code);
        public override string ToString() => $"{File}:{LineNumber} {Code} {HostileRequests.Show(Line)}";
    }

    public static IReadOnlyList<Case> Load()
    {
        var dir = Path.Combine(AppContext.BaseDirectory, "corpus");
        var cases = new List<Case>();
        foreach (var file in Directory.EnumerateFiles(dir, "*.txt").Order(StringComparer.Ordinal))
        {
            var lines = File.ReadAllLines(file, Encoding.UTF8);
            for (int i = 0; i < lines.Length; i++)
            {
                if (lines[i].Length == 0 || lines[i].StartsWith('#')) continue;
                int tab = lines[i].IndexOf('\t');
                if (tab <= 0) throw new FormatException($"{file}:{i + 1}: expected CODE<TAB>LINE");
                cases.Add(new Case(Path.GetFileName(file), i + 1, lines[i][..tab], Decode(lines[i][(tab + 1)..])));
            }
        }
        return cases;
    }

    private static byte[] Decode(string text)
    {
        var bytes = new List<byte>();
        int at = 0;
        foreach (Match m in ByteEscape().Matches(text))
        {
            bytes.AddRange(Encoding.UTF8.GetBytes(text[at..m.Index]));
            bytes.Add(byte.Parse(m.Groups[1].Value, NumberStyles.HexNumber));
            at = m.Index + m.Length;
        }
        bytes.AddRange(Encoding.UTF8.GetBytes(text[at..]));
        return [.. bytes];
    }

    [GeneratedRegex("<<([0-9A-Fa-f]{2})>>")]
    private static partial Regex ByteEscape();
}
