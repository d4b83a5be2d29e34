using System.Globalization;
using Golog.Client;

namespace Golog.Perf;

public enum Workload { Produce, Consume }

/// <summary>golog-perf's command line, in the spirit of kafka-producer-perf-test / kafka-consumer-perf-test.</summary>
public sealed record PerfOptions
{
    public const string Usage = """
        usage: golog-perf produce|consume [options]
          --broker HOST:PORT   broker address (default localhost:9092)
          --topic NAME         topic (default golog-perf)
          --partitions P       produce: partitions to spread over (created if missing); consume: partitions to read
                               (default 1 for produce, every partition of the topic for consume)
          --messages N         produce: messages to send; consume: messages expected (default 1000000 / all there)
          --size BYTES         payload size, at least 20 (default 100)
          --batch B            produce: messages per request; consume: max_messages per fetch (default 1000)
          --inflight K         produce: requests in flight per connection (default 1)
          --connections C      produce: connections (default 1); connection i writes to partition i mod P
          --fetch-bytes BYTES  consume: max_bytes per fetch (default batch x (size + 32))
          --seed               produce in the seed's style (no id, "ack offset N" replies, batch 1), e.g. to drive a
                               null server that only answers seed lines
          --max-seconds S      stop after S seconds even if unfinished (default 300); the run then fails
        Prints a progress line each second and ends with one machine-readable line starting "RESULT".
        """;

    public Workload Workload { get; init; }
    public BrokerAddress Broker { get; init; } = BrokerAddress.Default;
    public string Topic { get; init; } = "golog-perf";
    public int? Partitions { get; init; }
    public long? Messages { get; init; }
    public int Size { get; init; } = 100;
    public int Batch { get; init; } = 1000;
    public int InFlight { get; init; } = 1;
    public int Connections { get; init; } = 1;
    public int? FetchBytes { get; init; }
    public bool Seed { get; init; }
    public TimeSpan MaxTime { get; init; } = TimeSpan.FromSeconds(300);

    public int FetchMaxBytes => FetchBytes ?? (int)Math.Min(int.MaxValue, (long)Batch * (Size + 32));

    public static PerfOptions Parse(string[] args)
    {
        if (args.Length == 0) throw new FormatException("say what to run: produce or consume");
        var options = new PerfOptions
        {
            Workload = args[0] switch
            {
                "produce" => Workload.Produce,
                "consume" => Workload.Consume,
                _ => throw new FormatException($"unknown workload \"{args[0]}\": expected produce or consume"),
            },
        };
        var a = new CommandLineArgs(args[1..]);
        bool batchGiven = false;
        while (a.MoveNext())
        {
            batchGiven |= a.Current == "--batch";
            options = a.Current switch
            {
                "--broker" => options with { Broker = BrokerAddress.Parse(a.Value()) },
                "--topic" => options with { Topic = a.Value() },
                "--partitions" => options with { Partitions = Positive(a) },
                "--messages" => options with { Messages = PositiveLong(a) },
                "--size" => options with { Size = Positive(a) },
                "--batch" => options with { Batch = Positive(a) },
                "--inflight" => options with { InFlight = Positive(a) },
                "--connections" => options with { Connections = Positive(a) },
                "--fetch-bytes" => options with { FetchBytes = Positive(a) },
                "--seed" => options with { Seed = true },
                "--max-seconds" => options with { MaxTime = TimeSpan.FromSeconds(Positive(a)) },
                _ => throw a.Unknown(),
            };
        }
        if (options.Size < Payload.HeaderLength) throw new FormatException($"--size must be at least {Payload.HeaderLength} (the self-check header)");
        if (options.Seed && batchGiven && options.Batch != 1) throw new FormatException("--seed sends one message per request: drop --batch");
        if (options.Seed && options.Workload == Workload.Consume) throw new FormatException("--seed is for produce only (seed fetches have no end marker)");
        return options.Seed ? options with { Batch = 1 } : options;
    }

    private static int Positive(CommandLineArgs a)
    {
        string flag = a.Current, text = a.Value();
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int v) && v > 0
            ? v
            : throw new FormatException($"{flag} must be a whole number > 0, not \"{text}\"");
    }

    private static long PositiveLong(CommandLineArgs a)
    {
        string flag = a.Current, text = a.Value();
        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long v) && v > 0
            ? v
            : throw new FormatException($"{flag} must be a whole number > 0, not \"{text}\"");
    }
}
