using System.CommandLine;
using Golog.Cli;
using Golog.Client;

namespace Golog.Perf;

public enum Workload { Produce, Consume }

/// <summary>golog-perf's command line, in the spirit of kafka-producer-perf-test / kafka-consumer-perf-test.</summary>
public sealed record PerfOptions
{
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

    private static readonly Option<BrokerAddress> BrokerFlag = BrokerOption.Create();
    private static readonly Option<string?> TopicFlag = ConsoleOption.Text("--topic", "topic [default: golog-perf]", "NAME");
    private static readonly Option<int?> PartitionsFlag = Count("--partitions", "P",
        "produce: partitions to spread over (created if missing); consume: partitions to read [default: 1 for produce, every partition of the topic for consume]");
    private static readonly Option<long?> MessagesFlag = ConsoleOption.Create<long?>("--messages",
        "produce: messages to send; consume: messages expected [default: 1000000 / all there]", "N", text => ValueParsers.PositiveLong(text, "--messages"));
    private static readonly Option<int?> SizeFlag = Count("--size", "BYTES", $"payload size, at least {Payload.HeaderLength} [default: 100]");
    private static readonly Option<int?> BatchFlag = Count("--batch", "B", "produce: messages per request; consume: max_messages per fetch [default: 1000]");
    private static readonly Option<int?> InFlightFlag = Count("--inflight", "K", "produce: requests in flight per connection [default: 1]");
    private static readonly Option<int?> ConnectionsFlag = Count("--connections", "C", "produce: connections; connection i writes to partition i mod P [default: 1]");
    private static readonly Option<int?> FetchBytesFlag = Count("--fetch-bytes", "BYTES", "consume: max_bytes per fetch [default: batch x (size + 32)]");
    private static readonly Option<bool> SeedFlag = new("--seed")
    {
        Description = "produce in the seed's style (no id, \"ack offset N\" replies, batch 1), e.g. to drive a null server that only answers seed lines",
    };
    private static readonly Option<int?> MaxSecondsFlag = Count("--max-seconds", "S", "stop after S seconds even if unfinished; the run then fails [default: 300]");

    private static Option<int?> Count(string name, string valueName, string description) =>
        ConsoleOption.Create<int?>(name, description, valueName, text => ValueParsers.PositiveInt(text, name));

    /// <summary>golog-perf's command: "produce" and "consume", their options and checks, and <paramref name="run"/> as their action.</summary>
    public static RootCommand CreateRoot(Func<PerfOptions, Task<int>> run)
    {
        var root = new RootCommand("Golog load generator. Prints a progress line each second and ends with one machine-readable line starting \"RESULT\".");
        foreach (var workload in new[] { Workload.Produce, Workload.Consume })
        {
            var command = new Command(workload.ToString().ToLowerInvariant(), workload == Workload.Produce
                ? "send messages and wait for their acks (like kafka-producer-perf-test)"
                : "read a topic back and check every payload (like kafka-consumer-perf-test)")
            {
                BrokerFlag, TopicFlag, PartitionsFlag, MessagesFlag, SizeFlag, BatchFlag, InFlightFlag, ConnectionsFlag, FetchBytesFlag, SeedFlag, MaxSecondsFlag,
            };
            command.Validators.Add(result =>
            {
                if (result.GetValue(SizeFlag) is < Payload.HeaderLength) result.AddError($"--size must be at least {Payload.HeaderLength} (the self-check header)");
                if (result.GetValue(SeedFlag) && result.GetValue(BatchFlag) is > 1) result.AddError("--seed sends one message per request: drop --batch");
                if (result.GetValue(SeedFlag) && workload == Workload.Consume) result.AddError("--seed is for produce only (seed fetches have no end marker)");
            });
            command.SetAction(parsed => run(From(parsed, workload)));
            root.Add(command);
        }
        return root;
    }

    private static PerfOptions From(ParseResult parsed, Workload workload)
    {
        var defaults = new PerfOptions();
        bool seed = parsed.GetValue(SeedFlag);
        return new PerfOptions
        {
            Workload = workload,
            Broker = parsed.GetValue(BrokerFlag),
            Topic = parsed.GetValue(TopicFlag) ?? defaults.Topic,
            Partitions = parsed.GetValue(PartitionsFlag),
            Messages = parsed.GetValue(MessagesFlag),
            Size = parsed.GetValue(SizeFlag) ?? defaults.Size,
            Batch = seed ? 1 : parsed.GetValue(BatchFlag) ?? defaults.Batch,
            InFlight = parsed.GetValue(InFlightFlag) ?? defaults.InFlight,
            Connections = parsed.GetValue(ConnectionsFlag) ?? defaults.Connections,
            FetchBytes = parsed.GetValue(FetchBytesFlag),
            Seed = seed,
            MaxTime = parsed.GetValue(MaxSecondsFlag) is { } s ? TimeSpan.FromSeconds(s) : defaults.MaxTime,
        };
    }
}
