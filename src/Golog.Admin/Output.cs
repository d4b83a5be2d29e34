using System.CommandLine;
using System.Text.Json;

namespace Golog.Admin;

/// <summary>How results are printed: a human table (the default, column widths fitted to the content) or JSON for scripts.</summary>
internal static class Output
{
    public static readonly Option<string> FormatOption = new("--output", "-o")
    {
        Description = "table for people, json for scripts",
        DefaultValueFactory = _ => "table",
        Recursive = true,
        HelpName = "table|json",
    };

    static Output() => FormatOption.AcceptOnlyFromAmong("table", "json");

    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, WriteIndented = true };

    public static bool IsJson(ParseResult parsed) => parsed.GetValue(FormatOption) == "json";

    public static void WriteJson<T>(TextWriter output, T value) => output.WriteLine(JsonSerializer.Serialize(value, Json));

    public static void WriteTable(TextWriter output, string[] header, IEnumerable<string[]> rows)
    {
        var all = rows.Prepend(header).ToList();
        var widths = header.Select((_, i) => all.Max(r => r[i].Length)).ToArray();
        foreach (var row in all)
            output.WriteLine(string.Join("  ", row.Select((cell, i) => i == row.Length - 1 ? cell : cell.PadRight(widths[i]))));
    }

    public static string Dash(long? value) => value?.ToString() ?? "-";
}
