using Golog.Client;

namespace Golog.Admin;

/// <summary>What `golog` was asked to do.</summary>
internal abstract record AdminCommand(BrokerAddress Broker)
{
    public const string Usage = """
        usage: golog [--broker HOST:PORT] groups list
               golog [--broker HOST:PORT] groups describe GROUP
               golog [--broker HOST:PORT] topics create TOPIC --partitions N

          groups list            every consumer group: state and number of members (groups that only have
                                 committed offsets, from manual-mode consumers, are listed as empty)
          groups describe GROUP  members and their partitions, and per partition the committed offset, the
                                 high watermark and the lag
          topics create TOPIC    a topic with N partitions (consumers in a group share them)
          --broker H:P           broker address (default localhost:9092)
        """;

    public sealed record ListGroups(BrokerAddress Broker) : AdminCommand(Broker);
    public sealed record DescribeGroup(BrokerAddress Broker, string Group) : AdminCommand(Broker);
    public sealed record CreateTopic(BrokerAddress Broker, string Topic, int Partitions) : AdminCommand(Broker);

    /// <summary>Null means --help. Throws <see cref="FormatException"/>.</summary>
    public static AdminCommand? Parse(string[] args)
    {
        var broker = BrokerAddress.Default;
        int? partitions = null;
        var words = new List<string>();
        var a = new CommandLineArgs(args);
        while (a.MoveNext())
        {
            if (a.Current is "-h" or "--help") return null;
            if (a.Current == "--broker") broker = BrokerAddress.Parse(a.Value());
            else if (a.Current == "--partitions") partitions = CommandLineArgs.ParsePartition(a.Value());
            else if (a.Current.StartsWith("--", StringComparison.Ordinal)) throw a.Unknown();
            else words.Add(a.Current);
        }
        return words switch
        {
            ["groups", "list"] => new ListGroups(broker),
            ["groups", "describe", var group] => new DescribeGroup(broker, group),
            ["topics", "create", var topic] => new CreateTopic(broker, topic,
                partitions is > 0 ? partitions.Value : throw new FormatException("topics create needs --partitions N (N >= 1)")),
            [] => null,
            _ => throw new FormatException($"unknown command \"{string.Join(' ', words)}\""),
        };
    }
}
