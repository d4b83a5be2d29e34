using System.CommandLine;
using Golog.Cli;

namespace Golog.Broker.SelfTest;

/// <summary>
/// <c>golog-broker selftest [--rounds N] [--storage DIR]</c>: kill -9 chaos against real broker processes on this
/// machine's disk, one round of the simulated power loss, and the disk's fsync latency; prints a summary to paste
/// into a bug report. Exit code 0 when nothing acknowledged was lost, 1 otherwise.
/// </summary>
public static class SelfTestCommand
{
    private static readonly Option<int> Rounds = ConsoleOption.Create("--rounds",
        "kill -9 rounds against a real broker process [default: 5]", "N",
        text => ValueParsers.PositiveInt(text, "--rounds"));

    private static readonly Option<string?> Storage = ConsoleOption.Text("--storage",
        "directory to test in, on the disk you mean to run on [default: a new temp directory, deleted afterwards]", "DIR");

    public static Command Create()
    {
        var command = new Command("selftest", "Checks this machine keeps what the broker acknowledges: kill -9 chaos, simulated power loss, fsync latency.");
        command.Add(Rounds);
        command.Add(Storage);
        command.SetAction(async parsed =>
        {
            var rounds = parsed.GetResult(Rounds) is null ? 5 : parsed.GetValue(Rounds);
            var report = await new SelfTestRun(rounds, parsed.GetValue(Storage), Console.WriteLine).RunAsync();
            return report.Lost == 0 && report.PowerLoss.Ok ? ExitCodes.Ok : ExitCodes.UsageOrRefused;
        });
        return command;
    }
}
