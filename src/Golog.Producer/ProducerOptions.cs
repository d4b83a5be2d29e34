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
        for (int i = 0; i < args.Length; i++)
        {
            string arg = args[i];
            string? inline = null;
            int eq = arg.IndexOf('=');
            if (arg.StartsWith("--", StringComparison.Ordinal) && eq > 0) { inline = arg[(eq + 1)..]; arg = arg[..eq]; }
            string Value() => inline ?? (i + 1 < args.Length ? args[++i] : throw new FormatException($"{arg} needs a value"));

            switch (arg)
            {
                case "-h" or "--help": return null;
                case "--broker": broker = BrokerAddress.Parse(Value()); break;
                case "--topic": topic = Value(); break;
                case "--key": key = Value(); break;
                case "--partition":
                    string p = Value();
                    if (!int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out int n))
                        throw new FormatException($"--partition must be a number >= 0, not \"{p}\"");
                    partition = n;
                    break;
                default: throw new FormatException($"unknown argument \"{args[i]}\"");
            }
        }
        if (topic is null && (partition is not null || key is not null))
            throw new FormatException("--partition and --key need --topic");
        return new ProducerOptions(broker, topic, partition, key);
    }
}
