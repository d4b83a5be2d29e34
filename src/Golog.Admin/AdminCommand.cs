using Golog.Client;

namespace Golog.Admin;

/// <summary>What `golog` was asked to do: list the groups, or describe one (<see cref="Group"/>).</summary>
internal sealed record AdminCommand(BrokerAddress Broker, string? Group)
{
    public const string Usage = """
        usage: golog [--broker HOST:PORT] groups list
               golog [--broker HOST:PORT] groups describe GROUP

          groups list            every consumer group: state and number of members (groups that only have
                                 committed offsets, from manual-mode consumers, are listed as empty)
          groups describe GROUP  members and their partitions, and per partition the committed offset, the
                                 high watermark and the lag
          --broker H:P           broker address (default localhost:9092)
        """;

    /// <summary>Null means --help. Throws <see cref="FormatException"/>.</summary>
    public static AdminCommand? Parse(string[] args)
    {
        var broker = BrokerAddress.Default;
        var words = new List<string>();
        var a = new CommandLineArgs(args);
        while (a.MoveNext())
        {
            if (a.Current is "-h" or "--help") return null;
            if (a.Current == "--broker") broker = BrokerAddress.Parse(a.Value());
            else if (a.Current.StartsWith("--", StringComparison.Ordinal)) throw a.Unknown();
            else words.Add(a.Current);
        }
        return words switch
        {
            ["groups", "list"] => new AdminCommand(broker, null),
            ["groups", "describe", var group] => new AdminCommand(broker, group),
            [] => null,
            _ => throw new FormatException($"unknown command \"{string.Join(' ', words)}\""),
        };
    }
}
