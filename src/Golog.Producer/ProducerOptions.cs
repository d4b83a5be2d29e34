using System.Globalization;
using Golog.Client;

namespace Golog.Producer;

/// <summary>Command line of golog-producer. Without --topic it relays raw JSON requests (the seed's producer).</summary>
internal sealed record ProducerOptions(BrokerAddress Broker, string? Topic, int? Partition, string? Key)
{
    public const string Usage = """
        usage: golog-producer [--broker HOST:PORT] [--topic TOPIC [--partition N] [--key KEY]]

          without --topic  read JSON requests from stdin (one object per line, or pretty-printed over
                           several lines), send each to the broker as-is and print its reply lines
          --topic TOPIC    send each stdin line as one message and print "ack partition P offset N"
          --partition N    partition to produce to (default: chosen by the broker, or by --key's hash)
          --key KEY        message key for every message
          --broker H:P     broker address (default localhost:9092)
        """;

    /// <summary>Parses "--name value" and "--name=value" forms. Throws <see cref="FormatException"/> with a usage hint.</summary>
    public static ProducerOptions? Parse(string[] args)
    {
        BrokerAddress broker = BrokerAddress.Default;
        string? topic = null, key = null;
        int? partition = null;
        var a = new CommandLineArgs(args);
        while (a.MoveNext())
        {
            switch (a.Current)
            {
                case "-h" or "--help": return null;
                case "--broker": broker = BrokerAddress.Parse(a.Value()); break;
                case "--topic": topic = a.Value(); break;
                case "--key": key = a.Value(); break;
                case "--partition": partition = CommandLineArgs.ParsePartition(a.Value()); break;
                default: throw a.Unknown();
            }
        }
        if (topic is null && (partition is not null || key is not null))
            throw new FormatException("--partition and --key need --topic");
        return new ProducerOptions(broker, topic, partition, key);
    }
}
