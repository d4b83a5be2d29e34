using System.Diagnostics;

namespace Golog.EndToEnd.Tests;

// What the manual consumer tests need beyond ConsumerProcess.cs: Ctrl-C itself, waiting for output, and the exit code.
public sealed partial class ConsumerProcess
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    /// <summary>SIGINT, as Ctrl-C in a terminal: commit and exit. Returns the exit code.</summary>
    public async Task<int> InterruptAsync()
    {
        if (!_process.HasExited)
        {
            using var kill = Process.Start("kill", ["-INT", _process.Id.ToString()]);
            await kill.WaitForExitAsync();
        }
        return await WaitForExitAsync();
    }

    /// <summary>Waits (bounded) for the process to end by itself, e.g. after --max-messages. Returns the exit code.</summary>
    public async Task<int> WaitForExitAsync()
    {
        using var timeout = new CancellationTokenSource(Bound);
        await _process.WaitForExitAsync(timeout.Token);
        _process.WaitForExit(); // the redirected output is complete only after this overload returned
        return _process.ExitCode;
    }

    /// <summary>Waits (bounded) until a line equal to <paramref name="line"/> was printed; stderr lines read "stderr: ...".</summary>
    public async Task WaitForLineAsync(string line)
    {
        var deadline = Stopwatch.StartNew();
        while (!Lines.Contains(line))
        {
            bool exited = _process.HasExited;
            if (exited) _process.WaitForExit(); // drains the output it printed before exiting
            if (exited && !Lines.Contains(line) || deadline.Elapsed > Bound)
                throw new TimeoutException($"the consumer did not print \"{line}\"; it printed:\n{string.Join('\n', Lines)}");
            if (!exited) await Task.Delay(50);
        }
    }
}
