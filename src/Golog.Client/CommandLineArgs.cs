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
    /// Reads a console's options with <paramref name="parse"/>, which returns null when help was asked for and throws
    /// <see cref="FormatException"/> for a bad command line. Prints nothing: the console says what to print.
    /// </summary>
    public static ParsedCommandLine<T> Parse<T>(string[] args, Func<string[], T?> parse) where T : class
    {
        try
        {
            return parse(args) is { } options ? ParsedCommandLine<T>.Run(options) : ParsedCommandLine<T>.Help;
        }
        catch (FormatException e)
        {
            return ParsedCommandLine<T>.Invalid(e.Message);
        }
    }
}
