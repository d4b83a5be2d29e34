using System.Globalization;
using Golog.Client;
using Golog.Protocol;

namespace Golog.Consumer;

/// <summary>
/// Command line of golog-consumer, shaped like the seed's flags. Topic, partition and group stay null when not given,
/// so that <see cref="InteractivePrompt"/> can ask for them.
/// </summary>
internal sealed record ConsumerOptions
{
    public const string DefaultGroup = "default";

    public const string Usage = """
        usage: golog-consumer [--topic TOPIC] [--partition N] [--group GROUP] [--poll-interval 1s]
                              [--broker HOST:PORT] [--from-end] [--max-messages N] [--session-timeout 10s]

          --topic TOPIC        topic to consume (asked interactively when missing); in group mode it may be
                               given several times or as a comma list: --topic a,b
          --partition N        consume this one partition by hand (default 0; manual mode, no coordination)
          --group GROUP        consumer group whose committed offset is used and advanced (default "default");
                               with --topic and no --partition, the consumer joins GROUP and the broker
                               assigns it a share of the topics' partitions (group mode)
          --session-timeout D  group mode: the broker evicts this member after D without a heartbeat
          --poll-interval D    how long one poll waits for new messages: 500ms, 1s, 2m, or seconds (default 1s)
          --broker H:P         broker address (default localhost:9092)
          --from-end           with no committed offset, start at the end instead of the beginning
          --max-messages N     exit after printing N messages (after committing them)
        """;

    public BrokerAddress Broker { get; init; } = BrokerAddress.Default;
    /// <summary>The topics given with --topic, in order; manual mode consumes the only one.</summary>
    public IReadOnlyList<string> Topics { get; init; } = [];
    public string? Topic { get => Topics.Count > 0 ? Topics[0] : null; init => Topics = value is null ? [] : [value]; }
    public int? Partition { get; init; }
    public string? Group { get; init; }
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);
    public bool FromEnd { get; init; }
    public long? MaxMessages { get; init; }
    public TimeSpan? SessionTimeout { get; init; }

    /// <summary>--group and --topic without --partition: join the group and consume what the broker assigns.</summary>
    public bool GroupMode => Group is not null && Topics.Count > 0 && Partition is null;

    /// <summary>Where a partition the group has committed nothing for is read from: its start, or its end with --from-end.</summary>
    public long StartWithoutCommit(PartitionMetadata? bounds) => (FromEnd ? bounds?.HighWatermark : bounds?.LogStartOffset) ?? 0;

    /// <summary>Parses "--name value" and "--name=value" forms; null means --help. Throws <see cref="FormatException"/>.</summary>
    public static ConsumerOptions? Parse(string[] args)
    {
        var o = new ConsumerOptions();
        var a = new CommandLineArgs(args);
        while (a.MoveNext())
        {
            if (a.Current is "-h" or "--help") return null;
            o = a.Current switch
            {
                "--broker" => o with { Broker = BrokerAddress.Parse(a.Value()) },
                "--topic" => o with { Topics = [.. o.Topics, .. SplitTopics(a.Value())] },
                "--group" => o with { Group = a.Value() },
                "--partition" => o with { Partition = CommandLineArgs.ParsePartition(a.Value()) },
                "--poll-interval" => o with { PollInterval = ParseDuration("--poll-interval", a.Value()) },
                "--session-timeout" => o with { SessionTimeout = ParseDuration("--session-timeout", a.Value()) },
                "--from-end" => o with { FromEnd = true },
                "--max-messages" => o with { MaxMessages = ParseCount(a.Value()) },
                _ => throw a.Unknown(),
            };
        }
        if (o.Topics.Count > 1 && !o.GroupMode) throw new FormatException("several topics need group mode: --group without --partition");
        return o;
    }

    private static IEnumerable<string> SplitTopics(string text)
    {
        var topics = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        return topics.Length > 0 ? topics : throw new FormatException("--topic needs a topic name");
    }

    private static TimeSpan ParseDuration(string flag, string text)
    {
        if (!GoDuration.TryParse(text, out var d))
            throw new FormatException($"{flag} must be a duration like 500ms, 1s or 2m, not \"{text}\"");
        if (d < TimeSpan.FromMilliseconds(1)) throw new FormatException($"{flag} must be at least 1ms");
        return d;
    }

    private static long ParseCount(string text) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long n) && n > 0
            ? n
            : throw new FormatException($"--max-messages must be a number > 0, not \"{text}\"");
}
