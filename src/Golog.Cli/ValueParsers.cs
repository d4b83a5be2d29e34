using System.CommandLine.Parsing;
using System.Globalization;

namespace Golog.Cli;

/// <summary>
/// Option values read by the consoles' own parsers: a <see cref="FormatException"/> from the parser becomes a
/// command-line error in the user's words (printed like the library's own errors, exit 1), never a .NET message.
/// </summary>
public static class ValueParsers
{
    /// <summary>Parses the option's last value with <paramref name="parse"/>.</summary>
    public static Func<ArgumentResult, T> From<T>(Func<string, T> parse) => result =>
    {
        try { return parse(result.Tokens[^1].Value); }
        catch (FormatException e)
        {
            result.AddError(e.Message);
            return default!;
        }
    };

    public static int Partition(string text) =>
        int.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int p)
            ? p
            : throw new FormatException($"partition must be a number >= 0, not \"{text}\"");

    public static int PositiveInt(string text, string option) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int v) && v > 0
            ? v
            : throw new FormatException($"{option} must be a whole number > 0, not \"{text}\"");

    public static long PositiveLong(string text, string option) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long v) && v > 0
            ? v
            : throw new FormatException($"{option} must be a whole number > 0, not \"{text}\"");
}
