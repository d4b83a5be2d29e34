using System.Globalization;
using System.Text;

namespace Golog.Http.Tests;

/// <summary>One sample line: metric name, labels, value.</summary>
public sealed record Sample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);

/// <summary>
/// A parser of the Prometheus text exposition format (0.0.4), strict enough that a scrape Prometheus would refuse
/// fails here: # HELP / # TYPE lines, metric and label names, quoted label values with \\ \" \n escapes, float
/// values (NaN, +Inf), an optional timestamp, and every sample belonging to a family whose TYPE came first.
/// </summary>
public sealed class PrometheusText
{
    private static readonly string[] Types = ["counter", "gauge", "histogram", "summary", "untyped"];
    private static readonly string[] FamilySuffixes = ["_bucket", "_sum", "_count", "_total", "_created", ""];

    public IReadOnlyList<Sample> Samples { get; }
    public IReadOnlyDictionary<string, string> TypeOf { get; }

    private PrometheusText(List<Sample> samples, Dictionary<string, string> types) => (Samples, TypeOf) = (samples, types);

    public static PrometheusText Parse(string text)
    {
        var samples = new List<Sample>();
        var types = new Dictionary<string, string>(StringComparer.Ordinal);
        int lineNo = 0;
        foreach (var line in text.Split('\n'))
        {
            lineNo++;
            if (line.Length == 0) continue;
            string Where() => $"line {lineNo}: {line}";
            if (line.StartsWith('#'))
            {
                var parts = line.Split(' ', 4);
                if (parts.Length >= 3 && parts[1] == "TYPE")
                {
                    if (!IsMetricName(parts[2]) || parts.Length != 4 || !Types.Contains(parts[3])) throw new FormatException("bad TYPE " + Where());
                    if (!types.TryAdd(parts[2], parts[3])) throw new FormatException("second TYPE for a family " + Where());
                }
                else if (parts.Length >= 3 && parts[1] == "HELP" && !IsMetricName(parts[2])) throw new FormatException("bad HELP " + Where());
                continue;
            }
            var sample = ParseSample(line, Where);
            if (!FamilySuffixes.Any(s => sample.Name.EndsWith(s, StringComparison.Ordinal) && types.ContainsKey(sample.Name[..^s.Length])))
                throw new FormatException("sample before (or without) its family's TYPE " + Where());
            samples.Add(sample);
        }
        if (!text.EndsWith('\n')) throw new FormatException("the exposition must end with a newline");
        return new PrometheusText(samples, types);
    }

    private static Sample ParseSample(string line, Func<string> where)
    {
        int i = 0;
        while (i < line.Length && (char.IsAsciiLetterOrDigit(line[i]) || line[i] is '_' or ':')) i++;
        string name = line[..i];
        if (!IsMetricName(name)) throw new FormatException("bad metric name " + where());
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (i < line.Length && line[i] == '{')
        {
            i++;
            while (line[i] != '}')
            {
                int start = i;
                while (char.IsAsciiLetterOrDigit(line[i]) || line[i] == '_') i++;
                string label = line[start..i];
                if (label.Length == 0 || char.IsAsciiDigit(label[0]) || line[i] != '=' || line[i + 1] != '"') throw new FormatException("bad label " + where());
                i += 2;
                var value = new StringBuilder();
                for (; line[i] != '"'; i++)
                {
                    if (line[i] != '\\') { value.Append(line[i]); continue; }
                    value.Append(line[++i] switch { '\\' => '\\', '"' => '"', 'n' => '\n', _ => throw new FormatException("bad escape " + where()) });
                }
                i++;
                if (!labels.TryAdd(label, value.ToString())) throw new FormatException("repeated label " + where());
                if (line[i] == ',') i++;
                else if (line[i] != '}') throw new FormatException("expected , or } " + where());
            }
            i++;
        }
        var rest = line[i..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (rest.Length is < 1 or > 2 || !line[i..].StartsWith(' ')) throw new FormatException("expected a value " + where());
        double v = rest[0] switch
        {
            "+Inf" => double.PositiveInfinity,
            "-Inf" => double.NegativeInfinity,
            "NaN" => double.NaN,
            var s => double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : throw new FormatException("bad value " + where()),
        };
        if (rest.Length == 2 && !long.TryParse(rest[1], out _)) throw new FormatException("bad timestamp " + where());
        return new Sample(name, labels, v);
    }

    private static bool IsMetricName(string name) =>
        name.Length > 0 && !char.IsAsciiDigit(name[0]) && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or ':');

    /// <summary>The one sample named <paramref name="name"/> whose labels include <paramref name="labels"/> ("k=v"); 0 when absent (a counter not yet moved).</summary>
    public double Value(string name, params string[] labels) =>
        Matching(name, labels).Select(s => s.Value).DefaultIfEmpty(0).Single();

    public IEnumerable<Sample> Matching(string name, params string[] labels) => Samples.Where(s => s.Name == name
        && labels.All(l => l.Split('=', 2) is [var k, var v] && s.Labels.TryGetValue(k, out var actual) && actual == v));
}
