using System.CommandLine;
using Golog.Cli;
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
    /// <summary>Print messages as stored, line breaks included, instead of one escaped line per record.</summary>
    public bool Raw { get; init; }

    /// <summary>--group and --topic without --partition: join the group and consume what the broker assigns.</summary>
    public bool GroupMode => Group is not null && Topics.Count > 0 && Partition is null;

    /// <summary>Where a partition the group has committed nothing for is read from: its start, or its end with --from-end.</summary>
    public long StartWithoutCommit(PartitionMetadata? bounds) => (FromEnd ? bounds?.HighWatermark : bounds?.LogStartOffset) ?? 0;

    /// <summary>A record's message as printed: the seed's wire escaping (\n, \r, \\) keeps one record on one line, unless --raw.</summary>
    public string Printable(string message) => Raw ? message : SeedText.Escape(message);

    private static readonly Option<BrokerAddress> BrokerFlag = BrokerOption.Create();
    private static readonly Option<string[]> TopicFlag = new("--topic")
    {
        Description = "topic to consume (asked interactively when missing); in group mode it may be given several times or as a comma list: --topic a,b",
        HelpName = "TOPIC",
        CustomParser = result =>
        {
            var topics = result.Tokens.SelectMany(t => t.Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)).ToArray();
            if (topics.Length == 0) result.AddError("--topic needs a topic name");
            return topics;
        },
    };
    private static readonly Option<int?> PartitionFlag = ConsoleOption.Create<int?>("--partition",
        "consume this one partition by hand (manual mode, no coordination) [default: 0]", "N", text => ValueParsers.Partition(text));
    private static readonly Option<string?> GroupFlag = ConsoleOption.Text("--group",
        $"consumer group whose committed offset is used and advanced [default: {DefaultGroup}]; with --topic and no --partition, the consumer joins GROUP and the broker assigns it a share of the topics' partitions (group mode)",
        "GROUP");
    private static readonly Option<TimeSpan?> PollIntervalFlag = ConsoleOption.Create<TimeSpan?>("--poll-interval",
        "how long one poll waits for new messages: 500ms, 1s, 2m, or seconds [default: 1s]", "DURATION", text => ParseDuration("--poll-interval", text));
    private static readonly Option<TimeSpan?> SessionTimeoutFlag = ConsoleOption.Create<TimeSpan?>("--session-timeout",
        "group mode: the broker evicts this member after this long without a heartbeat [default: the broker's]", "DURATION",
        text => ParseDuration("--session-timeout", text));
    private static readonly Option<bool> FromEndFlag = new("--from-end") { Description = "with no committed offset, start at the end instead of the beginning" };
    private static readonly Option<long?> MaxMessagesFlag = ConsoleOption.Create<long?>("--max-messages",
        "exit after printing N messages (after committing them)", "N", text => ValueParsers.PositiveLong(text, "--max-messages"));
    private static readonly Option<bool> RawFlag = new("--raw")
    {
        Description = "print each message's bytes as they are (a line break in a message breaks the line); by default \\n, \\r and \\ are escaped as on the seed's wire, one line per record",
    };

    /// <summary>golog-consumer's command: its options, their checks, and <paramref name="run"/> as its action.</summary>
    public static RootCommand CreateRoot(Func<ConsumerOptions, Task<int>> run)
    {
        var root = new RootCommand("Golog consumer: prints a topic's records as \"offset N: MESSAGE\" and commits the group's offset after every batch (the seed's consumer).")
        {
            TopicFlag, PartitionFlag, GroupFlag, PollIntervalFlag, SessionTimeoutFlag, BrokerFlag, FromEndFlag, MaxMessagesFlag, RawFlag,
        };
        root.Validators.Add(command =>
        {
            bool groupMode = command.GetValue(GroupFlag) is not null && command.GetValue(PartitionFlag) is null;
            if ((command.GetValue(TopicFlag)?.Length ?? 0) > 1 && !groupMode)
                command.AddError("several topics need group mode: --group without --partition");
        });
        root.SetAction(parsed => run(new ConsumerOptions
        {
            Broker = parsed.GetValue(BrokerFlag),
            Topics = parsed.GetValue(TopicFlag) ?? [],
            Partition = parsed.GetValue(PartitionFlag),
            Group = parsed.GetValue(GroupFlag),
            PollInterval = parsed.GetValue(PollIntervalFlag) ?? TimeSpan.FromSeconds(1),
            SessionTimeout = parsed.GetValue(SessionTimeoutFlag),
            FromEnd = parsed.GetValue(FromEndFlag),
            MaxMessages = parsed.GetValue(MaxMessagesFlag),
            Raw = parsed.GetValue(RawFlag),
        }));
        return root;
    }

    private static TimeSpan ParseDuration(string flag, string text)
    {
        if (!GoDuration.TryParse(text, out var d))
            throw new FormatException($"{flag} must be a duration like 500ms, 1s or 2m, not \"{text}\"");
        if (d < TimeSpan.FromMilliseconds(1)) throw new FormatException($"{flag} must be at least 1ms");
        return d;
    }
}
