using System.CommandLine;
using System.CommandLine.Invocation;

namespace Golog.Cli;

/// <summary>
/// Runs a console's System.CommandLine root the same way everywhere: --help, --version and the [suggest] directive
/// (tab completion) come from the library; a bad command line prints the library's error and "did you mean"
/// suggestions, then a pointer to --help (not the whole help, which would bury the error), all on stderr, and exits
/// <see cref="ExitCodes.UsageOrRefused"/>.
/// </summary>
public static class ConsoleCommand
{
    private const string GoSpellingNote = "Every option also answers to its Go spelling with one dash (-topic for --topic), as in the seed's Go consoles.";

    public static async Task<int> InvokeAsync(RootCommand root, string[] args)
    {
        root.Description = $"{root.Description}\n{GoSpellingNote}";
        var parsed = root.Parse(GoSpellings.Normalize(root, args));
        if (parsed.Action is ParseErrorAction onError)
        {
            onError.ShowHelp = false;
            await parsed.InvokeAsync(new InvocationConfiguration { Output = Console.Error });
            Console.Error.WriteLine($"Run {root.Name} --help to see every option.");
            return ExitCodes.UsageOrRefused;
        }
        // Each console handles Ctrl-C and SIGTERM itself (commit and leave, flush and close): the library's
        // handler would cut that short after two seconds.
        return await parsed.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
    }
}
