using System.Runtime.InteropServices;
using Golog.Cli;

namespace Golog.Consumer;

/// <summary>The seed consumer's interactive start: without --topic, ask for topic, partition and group on the terminal.</summary>
internal static class InteractivePrompt
{
    /// <summary>Fills in what the command line left out. Throws <see cref="EndOfStreamException"/> if input ends first.</summary>
    public static ConsumerOptions Complete(ConsumerOptions options, TextReader input, TextWriter output)
    {
        if (options.Topic is not null) return options;

        string topic;
        while ((topic = Ask("Enter topic: ", input, output).Trim()).Length == 0)
            output.WriteLine("a topic is required");

        int partition = options.Partition ?? 0;
        while (options.Partition is null)
        {
            string text = Ask("Enter partition (default 0): ", input, output);
            if (text.Trim().Length == 0) break;
            try { partition = ValueParsers.Partition(text); break; }
            catch (FormatException e) { output.WriteLine(e.Message); }
        }

        string group = options.Group ?? "";
        if (options.Group is null) group = Ask($"Enter group (default {ConsumerOptions.DefaultGroup}): ", input, output).Trim();
        if (group.Length == 0) group = ConsumerOptions.DefaultGroup;

        return options with { Topic = topic, Partition = partition, Group = group };
    }

    private static string Ask(string prompt, TextReader input, TextWriter output)
    {
        // Ctrl-C here quits at once (nothing to commit yet), but on a line of its own: the shell's prompt must not
        // follow "Enter topic: " on the same line. Registered before the prompt shows, so a Ctrl-C as soon as it
        // appears is caught too.
        using var onCtrlC = PosixSignalRegistration.Create(PosixSignal.SIGINT, _ => Console.Out.WriteLine());
        output.Write(prompt);
        output.Flush();
        return input.ReadLine() ?? throw new EndOfStreamException("input ended before the consumer was set up");
    }
}
