using System.CommandLine;

namespace Golog.Cli;

/// <summary>
/// How the consoles declare a "--name VALUE" option: the value is read by <paramref name="parse"/> (errors in the
/// user's words, see <see cref="ValueParsers"/>), and when the option is given twice the last one wins, as with Go's
/// flag package and the hand-written reader before: scripts and test harnesses append overrides to a command line.
/// </summary>
public static class ConsoleOption
{
    public static Option<T> Create<T>(string name, string description, string valueName, Func<string, T> parse) => new(name)
    {
        Description = description,
        HelpName = valueName,
        Arity = ArgumentArity.OneOrMore,
        CustomParser = ValueParsers.From(parse),
    };

    public static Option<string?> Text(string name, string description, string valueName) =>
        Create<string?>(name, description, valueName, text => text);
}
