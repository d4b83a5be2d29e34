using System.CommandLine;

namespace Golog.Cli;

/// <summary>
/// The seed's consoles were Go programs, and Go's flag package takes "-topic" as well as "--topic", so the seed's
/// users type one dash. Before parsing, a single-dash word that is a known "--" option of the command (alone or as
/// "-name=value") is read as that option; anything else ("-h", a negative number, "-" for stdin) is left alone.
/// Rewriting the words rather than adding aliases keeps --help listing the "--" spellings the README uses.
/// </summary>
public static class GoSpellings
{
    public static string[] Normalize(Command root, IReadOnlyList<string> args)
    {
        var known = OptionNames(root).ToHashSet(StringComparer.Ordinal);
        var normalized = new string[args.Count];
        bool literal = false;
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            literal |= arg == "--";
            normalized[i] = !literal && IsGoSpelling(arg, known) ? "-" + arg : arg;
        }
        return normalized;
    }

    private static bool IsGoSpelling(string arg, HashSet<string> known)
    {
        if (arg.Length < 3 || arg[0] != '-' || arg[1] == '-') return false;
        int eq = arg.IndexOf('=');
        return known.Contains("-" + (eq > 0 ? arg[..eq] : arg));
    }

    private static IEnumerable<string> OptionNames(Command command) =>
        command.Options.SelectMany(o => o.Aliases.Append(o.Name))
            .Where(name => name.StartsWith("--", StringComparison.Ordinal))
            .Concat(command.Subcommands.SelectMany(OptionNames));
}
