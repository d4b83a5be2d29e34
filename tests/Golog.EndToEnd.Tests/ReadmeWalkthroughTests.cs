using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Golog.EndToEnd.Tests;

/// <summary>
/// README.md's walkthrough and consumer-group blocks, run as written against a broker on a free port: what each
/// block shows must be what its command prints, so the README cannot drift from the consoles again. In a block,
/// "$ " starts a command, "> " a line typed into it, "^C" is Ctrl-C, "…" stands for a random part, the rest is output.
/// </summary>
public sealed partial class ReadmeWalkthroughTests
{
    private static readonly Dictionary<string, string> Programs = new()
    {
        ["Golog.Producer"] = "golog-producer",
        ["Golog.Consumer"] = "golog-consumer",
        ["Golog.Admin"] = "golog",
    };

    [Fact]
    public async Task The_walkthrough_and_the_consumer_group_blocks_print_what_the_readme_shows()
    {
        var blocks = ConsoleBlocks(File.ReadAllText(FindReadme())).ToList();
        Assert.Contains("Golog broker listening on localhost:9092 (json)", blocks[0].Last().Expected.Last());
        await using var broker = await InProcessBroker.StartAsync();
        string address = $"127.0.0.1:{broker.Port}";

        foreach (var session in blocks[1..5].SelectMany(b => b)) await RunAsync(session, address);

        // The consumer-group blocks: topic, a group member, then the producer; the member's records in any order.
        await RunAsync(blocks[5].Single(), address);
        var member = blocks[6].Single();
        await using var consumer = new ConsumerProcess([.. member.Args, "--broker", address]);
        await WaitForAsync(consumer, member.Expected.Count);
        await RunAsync(blocks[7].Single(), address);
        await WaitForAsync(consumer, member.Expected.Count);
        var printed = Stdout(consumer, address).Take(member.Expected.Count).ToList();
        foreach (var expected in member.Expected)
        {
            var pattern = new Regex("^" + Regex.Escape(expected).Replace("…", @"\S+") + "$");
            int found = printed.FindIndex(pattern.IsMatch);
            Assert.True(found >= 0, $"README shows \"{expected}\"; the consumer printed:\n{string.Join('\n', Stdout(consumer, address))}");
            printed.RemoveAt(found);
        }
    }

    private static async Task RunAsync(Session session, string address)
    {
        string[] args = [.. session.Args, "--broker", address];
        if (session.InterruptAfter is not { } interruptAfter)
        {
            var result = await DotnetProgram.RunAsync(session.Program, args, stdin: string.Concat(session.Input.Select(l => l + "\n")));
            Assert.Equal(session.Expected, Lines(result.Stdout.Replace(address, "localhost:9092")));
            return;
        }
        await using var process = new ConsumerProcess(args, session.Program);
        await process.WaitForLineAsync(session.Expected[interruptAfter - 1].Replace("localhost:9092", address));
        Assert.Equal(0, await process.InterruptAsync());
        Assert.Equal(session.Expected, Stdout(process, address));
    }

    private static async Task WaitForAsync(ConsumerProcess consumer, int lines)
    {
        var bound = Stopwatch.StartNew();
        while (Stdout(consumer, "-").Count < lines && !consumer.HasExited && bound.Elapsed < TimeSpan.FromSeconds(60)) await Task.Delay(50);
    }

    private static List<string> Stdout(ConsumerProcess process, string address) =>
        process.Lines.Where(l => !l.StartsWith("stderr: ", StringComparison.Ordinal)).Select(l => l.Replace(address, "localhost:9092")).ToList();

    private static List<string> Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();

    /// <summary>One command of a block: the program and its arguments, what is typed into it, what it prints, and after how many printed lines Ctrl-C comes (if it does).</summary>
    private sealed record Session(string Program, string[] Args, List<string> Input, List<string> Expected, int? InterruptAfter);

    /// <summary>Every ```console block, as the sessions (one per "$" command) it shows.</summary>
    private static IEnumerable<List<Session>> ConsoleBlocks(string readme)
    {
        foreach (Match block in ConsoleBlock().Matches(readme))
        {
            var sessions = new List<Session>();
            foreach (var line in block.Groups[1].Value.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                if (line.StartsWith("$ ", StringComparison.Ordinal)) sessions.Add(Parse(line[2..]));
                else if (line.StartsWith("> ", StringComparison.Ordinal)) sessions[^1].Input.Add(line[2..]);
                else if (line == "^C") sessions[^1] = sessions[^1] with { InterruptAfter = sessions[^1].Expected.Count };
                else sessions[^1].Expected.Add(line);
            }
            yield return sessions;
        }
    }

    /// <summary>"[seq 1 N | ]dotnet run --project src/Golog.X [-- ARGS]": which program, its arguments and its stdin.</summary>
    private static Session Parse(string command)
    {
        var input = new List<string>();
        if (SeqPipe().Match(command) is { Success: true } seq)
        {
            int first = int.Parse(seq.Groups[1].Value), last = int.Parse(seq.Groups[2].Value);
            input.AddRange(Enumerable.Range(first, last - first + 1).Select(n => n.ToString()));
            command = command[seq.Length..];
        }
        var words = command.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        int project = Array.IndexOf(words, "--project") + 1;
        int dashes = Array.IndexOf(words, "--");
        string program = Programs.GetValueOrDefault(Path.GetFileName(words[project]), "golog-broker");
        return new Session(program, dashes < 0 ? [] : words[(dashes + 1)..], input, [], null);
    }

    private static string FindReadme()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Golog.sln"))) return Path.Combine(dir.FullName, "README.md");
        throw new FileNotFoundException("README.md not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"```console\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex ConsoleBlock();

    [GeneratedRegex(@"^seq (\d+) (\d+) \| ")]
    private static partial Regex SeqPipe();
}
