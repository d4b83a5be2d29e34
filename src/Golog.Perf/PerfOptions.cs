using System.CommandLine;
using Golog.Cli;
using Confluent.Kafka;
using Golog.Client;

namespace Golog.Perf;

public enum Workload { Produce, Consume }

/// <summary>Which door golog-perf drives: the JSON-lines door with Golog.Client, or the Kafka door with Confluent.Kafka.</summary>
public enum Protocol { Json, Kafka }

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
    public Protocol Protocol { get; init; } = Protocol.Json;
    public string? Bootstrap { get; init; }
    public string? PortsFile { get; init; }
    public bool Mock { get; init; }
    public Acks Acks { get; init; } = Acks.All;
    public int? BrokerPid { get; init; }

    public int FetchMaxBytes => FetchBytes ?? (int)Math.Min(int.MaxValue, (long)Batch * (Size + 32));

    private static readonly Option<BrokerAddress> BrokerFlag = BrokerOption.Create();
    private static readonly Option<string?> TopicFlag = ConsoleOption.Text("--topic", "topic [default: golog-perf]", "NAME");
    private static readonly Option<int?> PartitionsFlag = Count("--partitions", "P",
        "produce: partitions to spread over (created if missing); consume: partitions to read [default: 1 for produce, every partition of the topic for consume]");
    private static readonly Option<long?> MessagesFlag = ConsoleOption.Create<long?>("--messages",
        "produce: messages to send; consume: messages expected [default: 1000000 / all there]", "N", text => ValueParsers.PositiveLong(text, "--messages"));
    private static readonly Option<int?> SizeFlag = Count("--size", "BYTES", $"payload size, at least {Payload.HeaderLength} [default: 100]");
    private static readonly Option<int?> BatchFlag = Count("--batch", "B", "produce: messages per request; consume: max_messages per fetch [default: 1000]");
    private static readonly Option<int?> InFlightFlag = Count("--inflight", "K", "produce: requests in flight per connection; consume: fetches in flight per partition [default: 1]");
    private static readonly Option<int?> ConnectionsFlag = Count("--connections", "C", "produce: connections; connection i writes to partition i mod P [default: 1]");
    private static readonly Option<int?> FetchBytesFlag = Count("--fetch-bytes", "BYTES", "consume: max_bytes per fetch [default: batch x (size + 32)]");
    private static readonly Option<bool> SeedFlag = new("--seed")
    {
        Description = "produce in the seed's style (no id, \"ack offset N\" replies, batch 1), e.g. to drive a null server that only answers seed lines",
    };
    private static readonly Option<int?> MaxSecondsFlag = Count("--max-seconds", "S", "stop after S seconds even if unfinished; the run then fails [default: 300]");

    private static readonly Option<Protocol?> ProtocolFlag = ConsoleOption.Create<Protocol?>("--protocol",
        "json: the JSON-lines door with Golog.Client; kafka: the Kafka door with Confluent.Kafka [default: json]", "json|kafka", ParseProtocol);
    private static readonly Option<string?> BootstrapFlag = ConsoleOption.Text("--bootstrap",
        "kafka: bootstrap servers [default: the ports file's \"kafka\" entry with --ports-file, else localhost:9093]", "HOST:PORT");
    private static readonly Option<string?> PortsFileFlag = ConsoleOption.Text("--ports-file",
        "kafka: the broker's ports file (golog.ports-file), to bootstrap from its \"kafka\" entry", "PATH");
    private static readonly Option<bool> MockFlag = new("--mock")
    {
        Description = "kafka: run against librdkafka's in-memory mock cluster (test.mock.num.brokers=1) instead of a broker: the client's ceiling",
    };
    private static readonly Option<Acks?> AcksFlag = ConsoleOption.Create<Acks?>("--acks", "kafka produce: acks [default: all]", "all|1|0", ParseAcks);
    private static readonly Option<int?> BrokerPidFlag = Count("--broker-pid", "PID",
        "report the broker process's CPU time per message (from /proc/PID/stat) over the run");

    private static Protocol? ParseProtocol(string text) => text switch
    {
        "json" => Protocol.Json,
        "kafka" => Protocol.Kafka,
        _ => throw new FormatException($"--protocol must be json or kafka, not \"{text}\""),
    };

    private static Acks? ParseAcks(string text) => text switch
    {
        "all" or "-1" => Acks.All,
        "1" => Acks.Leader,
        "0" => Acks.None,
        _ => throw new FormatException($"--acks must be all, 1 or 0, not \"{text}\""),
    };

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
                ProtocolFlag, BootstrapFlag, PortsFileFlag, MockFlag, AcksFlag, BrokerPidFlag,
            };
            command.Validators.Add(result =>
            {
                if (result.GetValue(SizeFlag) is < Payload.HeaderLength) result.AddError($"--size must be at least {Payload.HeaderLength} (the self-check header)");
                if (result.GetValue(SeedFlag) && result.GetValue(BatchFlag) is > 1) result.AddError("--seed sends one message per request: drop --batch");
                if (result.GetValue(SeedFlag) && workload == Workload.Consume) result.AddError("--seed is for produce only (seed fetches have no end marker)");
                // by the tokens given, not GetValue: a value that failed to parse has its own error, and GetValue would throw
                bool Given(Option option) => result.GetResult(option) is not null;
                bool kafka = result.GetResult(ProtocolFlag)?.Tokens is [.., { Value: "kafka" }];
                if (kafka && result.GetValue(SeedFlag)) result.AddError("--seed is for the JSON door: drop it with --protocol kafka");
                if (!kafka && (Given(BootstrapFlag) || Given(PortsFileFlag) || Given(MockFlag) || Given(AcksFlag)))
                    result.AddError("--bootstrap, --ports-file, --mock and --acks are for --protocol kafka");
                if (Given(MockFlag) && (Given(BootstrapFlag) || Given(PortsFileFlag)))
                    result.AddError("--mock runs without a broker: drop --bootstrap and --ports-file");
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
            Protocol = parsed.GetValue(ProtocolFlag) ?? defaults.Protocol,
            Bootstrap = parsed.GetValue(BootstrapFlag),
            PortsFile = parsed.GetValue(PortsFileFlag),
            Mock = parsed.GetValue(MockFlag),
            Acks = parsed.GetValue(AcksFlag) ?? defaults.Acks,
            BrokerPid = parsed.GetValue(BrokerPidFlag),
        };
    }
}
