using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace Golog.EndToEnd.Tests;

/// <summary>
/// The real broker as a separate process on a free port (--port 0, the bound port read back from its
/// "listening on" log line), for behaviour that is about processes: restart, SIGTERM, kill -9.
/// </summary>
public sealed partial class BrokerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();
    private readonly TaskCompletionSource<int> _port = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private BrokerProcess(string storage, IEnumerable<string> extraArgs, IReadOnlyDictionary<string, string>? environment)
    {
        _process = DotnetProgram.Start("golog-broker", ["--port", "0", "--storage", storage, .. extraArgs], environment: environment);
        _process.OutputDataReceived += (_, e) => OnLine(e.Data);
        _process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        _process.EnableRaisingEvents = true;
        _process.Exited += (_, _) => _port.TrySetException(new InvalidOperationException("broker exited before listening:\n" + Log));
    }

    public int Port => _port.Task.Result;
    public string Log { get { lock (_log) return _log.ToString(); } }
    public bool HasExited => _process.HasExited;

    /// <summary>The broker's peak resident memory so far (VmHWM in /proc/PID/status), in bytes; null where there is no /proc.</summary>
    public long? PeakRssBytes()
    {
        var status = $"/proc/{_process.Id}/status";
        if (!File.Exists(status)) return null;
        var line = File.ReadLines(status).FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return line is null ? null : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024; // "VmHWM:  123456 kB"
    }

    public static Task<BrokerProcess> StartAsync(string storage, params string[] extraArgs) => StartAsync(storage, null, extraArgs);

    /// <summary>Starts with extra environment variables (GOLOG_* settings) besides the test process's own.</summary>
    public static async Task<BrokerProcess> StartAsync(string storage, IReadOnlyDictionary<string, string>? environment, params string[] extraArgs)
    {
        var broker = new BrokerProcess(storage, extraArgs, environment);
        var ready = await Task.WhenAny(broker._port.Task, Task.Delay(TimeSpan.FromSeconds(60)));
        if (ready != broker._port.Task)
        {
            await broker.DisposeAsync();
            throw new TimeoutException("broker did not start listening within 60 s:\n" + broker.Log);
        }
        await broker._port.Task;
        return broker;
    }

    /// <summary>SIGKILL: no shutdown hooks, no flush, no clean-shutdown marker.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    /// <summary>SIGTERM, as Ctrl-C or a service manager would: a clean shutdown. Returns the exit code.</summary>
    public async Task<int> StopAsync(TimeSpan? timeout = null)
    {
        if (!_process.HasExited)
        {
            using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString()]);
            await kill.WaitForExitAsync();
        }
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        await _process.WaitForExitAsync(cts.Token);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
    }

    private void OnLine(string? line)
    {
        if (line is null) return;
        lock (_log) _log.AppendLine(line);
        var m = ListeningLine().Match(line);
        if (m.Success) _port.TrySetResult(int.Parse(m.Groups[1].Value));
    }

    [GeneratedRegex(@"listening on \S+:(\d+)")]
    private static partial Regex ListeningLine();
}
