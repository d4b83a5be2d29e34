using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Golog.Client;

/// <summary>
/// Walks console arguments in the two forms the consoles accept, "--name value" and "--name=value", so the
/// consoles share one reading of their command lines. Problems surface as <see cref="FormatException"/>.
/// </summary>
public sealed class CommandLineArgs(string[] args)
{
    private int _index = -1;
    private string? _inline;

    /// <summary>The current flag, without any "=value" part.</summary>
    public string Current { get; private set; } = "";

    public bool MoveNext()
    {
        if (++_index >= args.Length) return false;
        string arg = args[_index];
        int eq = arg.IndexOf('=');
        bool hasInline = arg.StartsWith("--", StringComparison.Ordinal) && eq > 0;
        _inline = hasInline ? arg[(eq + 1)..] : null;
        Current = hasInline ? arg[..eq] : arg;
        return true;
    }

    /// <summary>The current flag's value: its "=value" part, or else the next argument.</summary>
    public string Value() =>
        _inline ?? (_index + 1 < args.Length ? args[++_index] : throw new FormatException($"{Current} needs a value"));

    public FormatException Unknown() => new($"unknown argument \"{args[_index]}\"");

    public static int ParsePartition(string text) =>
        int.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int p)
            ? p
            : throw new FormatException($"partition must be a number >= 0, not \"{text}\"");

    /// <summary>
    /// Reads a console's options the way every console answers its command line: a bad one prints the error and the
    /// usage to stderr (exit code 1); <paramref name="parse"/> returning null (help asked for) prints the usage to
    /// stdout (exit code 0). True when there is something to run.
    /// </summary>
    public static bool TryParse<T>(string[] args, Func<string[], T?> parse, string usage,
        [NotNullWhen(true)] out T? options, out int exitCode) where T : class
    {
        exitCode = 0;
        try
        {
            options = parse(args);
        }
        catch (FormatException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            Console.Error.WriteLine(usage);
            options = null;
            exitCode = 1;
            return false;
        }
        if (options is null) Console.WriteLine(usage);
        return options is not null;
    }
}
