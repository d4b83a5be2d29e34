using System.Text.RegularExpressions;
using Golog.Core;

namespace Golog.Broker.Tests;

/// <summary>docs/protocol.md's error table is what the doors answer: every code, with its Kafka number, and nothing else.</summary>
public sealed partial class ErrorTableTests
{
    [Fact]
    public void The_documented_error_table_lists_every_error_with_the_codes_the_doors_use()
    {
        var documented = new Dictionary<string, short>();
        foreach (var row in Row().Matches(File.ReadAllText(ProtocolDoc())).Cast<Match>())
        {
            // a row may name several codes, with one Kafka number for all or one each, in the same order
            var codes = Code().Matches(row.Groups["codes"].Value).Select(m => m.Groups[1].Value).ToList();
            var numbers = KafkaNumber().Matches(row.Groups["kafka"].Value).Select(m => short.Parse(m.Value)).ToList();
            for (int i = 0; i < codes.Count; i++) documented[codes[i]] = numbers[numbers.Count == 1 ? 0 : i];
        }

        var actual = Enum.GetValues<BrokerErrorCode>().ToDictionary(c => c.Wire().Json, c => c.Wire().Kafka);
        Assert.Equal(actual.OrderBy(kv => kv.Key), documented.OrderBy(kv => kv.Key));
    }

    private static string ProtocolDoc()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "docs", "protocol.md"))) return Path.Combine(dir.FullName, "docs", "protocol.md");
        throw new FileNotFoundException("docs/protocol.md not found above the test's directory");
    }

    // "| `a` / `b` | 42 INVALID_REQUEST / ... | when |"
    [GeneratedRegex(@"^\| (?<codes>`[a-z_]+`(?: / `[a-z_]+`)*) \| (?<kafka>-?\d+ [A-Z_]+(?: / -?\d+ [A-Z_]+)*) \|", RegexOptions.Multiline)]
    private static partial Regex Row();

    [GeneratedRegex(@"`([a-z_]+)`")]
    private static partial Regex Code();

    [GeneratedRegex(@"-?\d+")]
    private static partial Regex KafkaNumber();
}
