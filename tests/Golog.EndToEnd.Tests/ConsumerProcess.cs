using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Golog.EndToEnd.Tests;

/// <summary>A golog-consumer process (or another console, given by name) whose output lines are collected as they come.</summary>
public sealed partial class ConsumerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _lines = [];

    public ConsumerProcess(IEnumerable<string> args, string program = "golog-consumer", bool redirectStdin = false)
    {
        _process = DotnetProgram.Start(program, args, redirectStdin);
        _process.OutputDataReceived += (_, e) => { if (e.Data is { } l) lock (_lines) _lines.Add(l); };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is { } l) lock (_lines) _lines.Add("stderr: " + l); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>The process's stdin, when started with redirectStdin.</summary>
    public StreamWriter Input => _process.StandardInput;

    public IReadOnlyList<string> Lines { get { lock (_lines) return _lines.ToList(); } }

    /// <summary>Messages printed in group mode: "[topic-partition] offset N: MESSAGE".</summary>
    public IEnumerable<string> Messages => Lines.Select(l => RecordLine().Match(l)).Where(m => m.Success).Select(m => m.Groups[3].Value);

    /// <summary>
    /// Each record printed in group mode, with the generation the consumer had last joined when it printed it (null
    /// before any join) and the partitions that join gave it, in output order.
    /// </summary>
    public IEnumerable<(int? Generation, string[] Assigned, string Partition, long Offset)> Consumed
    {
        get
        {
            (int? Generation, string[] Partitions) current = (null, []);
            foreach (var line in Lines)
            {
                if (ParseJoin(line) is { } join) current = join;
                else if (RecordLine().Match(line) is { Success: true } m)
                    yield return (current.Generation, current.Partitions, m.Groups[1].Value, long.Parse(m.Groups[2].Value));
            }
        }
    }

    /// <summary>"Joined group G generation N as M: partitions t-0, t-1" → (generation, partitions), in order.</summary>
    public IEnumerable<(int Generation, string[] Partitions)> Joins => Lines.Select(ParseJoin).OfType<(int, string[])>();

    private static (int Generation, string[] Partitions)? ParseJoin(string line) => JoinLine().Match(line) is { Success: true } m
        ? (int.Parse(m.Groups[1].Value), m.Groups[2].Value.Split(", ", StringSplitOptions.RemoveEmptyEntries))
        : null;

    public bool HasExited => _process.HasExited;

    /// <summary>SIGKILL: no commit, no leave; the broker finds out when the session runs out.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    /// <summary>SIGTERM, like Ctrl-C: commit and leave. Returns the exit code.</summary>
    public async Task<int> StopAsync()
    {
        if (!_process.HasExited)
        {
            using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString()]);
            await kill.WaitForExitAsync();
        }
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await _process.WaitForExitAsync(timeout.Token);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
    }

    [GeneratedRegex(@"^\[(\S+)\] offset (\d+): (.*)$")]
    private static partial Regex RecordLine();

    [GeneratedRegex(@"^Joined group \S+ generation (\d+) as \S+: (?:partitions )?(.*)$")]
    private static partial Regex JoinLine();
}
