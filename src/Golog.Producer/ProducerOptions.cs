using System.CommandLine;
using Golog.Cli;
using Golog.Client;

namespace Golog.Producer;

/// <summary>Command line of golog-producer. Without --topic it relays raw JSON requests (the seed's producer).</summary>
internal sealed record ProducerOptions(BrokerAddress Broker, string? Topic, int? Partition, string? Key)
{
    private static readonly Option<BrokerAddress> BrokerFlag = BrokerOption.Create();
    private static readonly Option<string?> TopicFlag = ConsoleOption.Text("--topic",
        "send each stdin line as one message and print \"ack partition P offset N\"; without it, read JSON requests (one object per line, or pretty-printed over several lines), send each as-is and print the broker's reply lines",
        "TOPIC");
    private static readonly Option<int?> PartitionFlag = ConsoleOption.Create<int?>("--partition",
        "partition to produce to [default: chosen by the broker, or by --key's hash]", "N", text => ValueParsers.Partition(text));
    private static readonly Option<string?> KeyFlag = ConsoleOption.Text("--key", "message key for every message", "KEY");

    /// <summary>golog-producer's command: its options, their checks, and <paramref name="run"/> as its action.</summary>
    public static RootCommand CreateRoot(Func<ProducerOptions, Task<int>> run)
    {
        var root = new RootCommand("Golog producer: sends what you type (or pipe) to the broker and prints each acknowledgement. " +
            "If the broker goes away it reconnects and sends again what was not acknowledged.")
        {
            TopicFlag, PartitionFlag, KeyFlag, BrokerFlag,
        };
        root.Validators.Add(command =>
        {
            if (command.GetValue(TopicFlag) is null && (command.GetValue(PartitionFlag) is not null || command.GetValue(KeyFlag) is not null))
                command.AddError("--partition and --key need --topic");
        });
        root.SetAction(parsed => run(new ProducerOptions(parsed.GetValue(BrokerFlag), parsed.GetValue(TopicFlag), parsed.GetValue(PartitionFlag), parsed.GetValue(KeyFlag))));
        return root;
    }
}
