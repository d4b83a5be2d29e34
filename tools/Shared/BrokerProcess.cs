using System.Diagnostics;
using System.Net;
using System.Text;
using Golog.Broker;
using Golog.Broker.Doors.JsonLines;
using Golog.Broker.Doors.Kafka;

namespace Golog.Harness;

/// <summary>
/// The real broker (golog-broker.dll, built next to the caller) as a process of its own on a free port: started
/// with --port 0 and a ports file, from which the bound port is read once the broker is listening. For behaviour
/// that is about processes (restart, SIGTERM, kill -9, peak memory). Compiled into the broker, whose selftest
/// drives copies of itself with it; the end-to-end tests and the flood tool use it from there.
/// </summary>
public sealed class BrokerProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private readonly Process _process;
    private readonly StringBuilder _log = new();
    private readonly string? _ownStorage;

    private BrokerProcess(string storage, IEnumerable<string> extraArgs, string? ownStorage, IReadOnlyDictionary<string, string>? environment = null,
        int? openFileLimit = null, IReadOnlyList<string>? commandPrefix = null)
    {
        _ownStorage = ownStorage;
        PortsFilePath = Path.Combine(Path.GetTempPath(), $"golog-ports-{Guid.NewGuid():N}.json");
        bool prefixed = commandPrefix is { Count: > 0 };
        var psi = new ProcessStartInfo(openFileLimit is null && !prefixed ? "dotnet" : "bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        // the shell lowers the limit and becomes the broker (exec), so the process killed and measured is the broker;
        // the hard limit too: the .NET runtime raises its soft limit to the hard one as it starts
        if (openFileLimit is { } limit && !prefixed) foreach (var a in new[] { "-c", $"ulimit -n {limit} && exec dotnet \"$@\"", "bash" }) psi.ArgumentList.Add(a);
        // a prefix (ip netns exec NAME) that execs its command in turn: the broker is still the process started here
        if (prefixed)
        {
            string ulimit = openFileLimit is { } l ? $"ulimit -n {l} && " : "";
            string prefix = string.Join(" ", commandPrefix!.Select(ShellQuote));
            foreach (var a in new[] { "-c", $"{ulimit}exec {prefix} dotnet \"$@\"", "bash" }) psi.ArgumentList.Add(a);
        }
        var extra = extraArgs.ToList();
        // every door on a free port, unless the caller names a port (a restart on the port its clients know); an
        // option given twice is refused by the command line
        string[] ports = [.. FreePortUnlessGiven("--port", extra), .. FreePortUnlessGiven("--kafka-port", extra), .. FreePortUnlessGiven("--http-port", extra)];
        string[] args = [Path.Combine(AppContext.BaseDirectory, "golog-broker.dll"), .. ports, "--storage", storage, "--ports-file", PortsFilePath, .. extra];
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["DOTNET_TieredPGO"] = "0"; // as the end-to-end tests have always run every program they start
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) psi.Environment[name] = value;
        _process = Process.Start(psi) ?? throw new InvalidOperationException("could not start golog-broker");
        // drain both streams as they come, so the broker never blocks on a full pipe and failures can show its log
        _process.OutputDataReceived += (_, e) => OnLine(e.Data);
        _process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    private static string ShellQuote(string word) => "'" + word.Replace("'", "'\\''") + "'";

    private static string[] FreePortUnlessGiven(string option, List<string> extraArgs) => extraArgs.Contains(option) ? [] : [option, "0"];

    /// <summary>Where this broker writes its ports file (golog.ports-file); in the temp directory, deleted at dispose.</summary>
    public string PortsFilePath { get; }
    /// <summary>The port of the JSON-lines door, as the ports file names it.</summary>
    public int Port { get; private set; }
    /// <summary>The port of the Kafka door, as the ports file names it.</summary>
    public int KafkaPort { get; private set; }
    /// <summary>Everything the broker wrote to stdout and stderr so far.</summary>
    public string Log { get { lock (_log) return _log.ToString(); } }
    public bool HasExited => _process.HasExited;

    /// <summary>
    /// Whether the log shows <paramref name="pattern"/> within <paramref name="timeout"/>: lines logged through Akka's
    /// logger reach the output asynchronously, so one written just before the ports file may still be on its way.
    /// </summary>
    public async Task<bool> LogShowsAsync(string pattern, TimeSpan timeout)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (!System.Text.RegularExpressions.Regex.IsMatch(Log, pattern))
        {
            if (waited.Elapsed > timeout) return false;
            await Task.Delay(50);
        }
        return true;
    }
    /// <summary>The broker's process id (golog-perf --broker-pid reads its CPU time).</summary>
    public int Pid => _process.Id;

    /// <summary>Starts the broker on <paramref name="storage"/>, which the caller owns (and may restart a broker on).</summary>
    public static Task<BrokerProcess> StartAsync(string storage, params string[] extraArgs) => StartAsync(storage, null, extraArgs);

    /// <summary>Starts with extra environment variables (GOLOG_* settings) besides the caller's own.</summary>
    public static Task<BrokerProcess> StartAsync(string storage, IReadOnlyDictionary<string, string>? environment, params string[] extraArgs) =>
        WhenListeningAsync(new BrokerProcess(storage, extraArgs, ownStorage: null, environment));

    /// <summary>Starts the broker with its open-file limit (ulimit -n, soft and hard) lowered to <paramref name="openFileLimit"/>.</summary>
    public static Task<BrokerProcess> StartWithOpenFileLimitAsync(string storage, int openFileLimit, params string[] extraArgs) =>
        WhenListeningAsync(new BrokerProcess(storage, extraArgs, ownStorage: null, openFileLimit: openFileLimit));

    /// <summary>
    /// Starts the broker under <paramref name="commandPrefix"/>, e.g. ["ip", "netns", "exec", NAME] to run it in a network
    /// namespace. The prefix must exec its command (as ip netns exec, nsenter and taskset do), so that the process
    /// killed, stopped and measured is the broker itself.
    /// </summary>
    public static Task<BrokerProcess> StartWithCommandPrefixAsync(string storage, IReadOnlyList<string> commandPrefix, params string[] extraArgs) =>
        WhenListeningAsync(new BrokerProcess(storage, extraArgs, ownStorage: null, commandPrefix: commandPrefix));

    /// <summary>Descriptors the broker has open now (/proc/PID/fd); null where there is no /proc.</summary>
    public int? OpenDescriptors()
    {
        var fds = $"/proc/{_process.Id}/fd";
        return Directory.Exists(fds) ? Directory.GetFiles(fds).Length : null;
    }

    /// <summary>Starts the broker on a fresh temp storage directory, deleted at dispose.</summary>
    public static Task<BrokerProcess> StartOnTempStorageAsync(IEnumerable<string> extraArgs)
    {
        var storage = Directory.CreateTempSubdirectory("golog-broker-").FullName;
        return WhenListeningAsync(new BrokerProcess(storage, extraArgs, ownStorage: storage));
    }

    /// <summary>The broker's peak resident memory so far (VmHWM in /proc/PID/status), in bytes; null where there is no /proc.</summary>
    public long? PeakRssBytes()
    {
        var status = $"/proc/{_process.Id}/status";
        if (!File.Exists(status)) return null;
        var line = File.ReadLines(status).FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return line is null ? null : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024; // "VmHWM:  123456 kB"
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
        File.Delete(PortsFilePath);
        if (_ownStorage is not null) Directory.Delete(_ownStorage, recursive: true);
    }

    /// <summary>
    /// Polls for the ports file: the broker writes it (atomically) only once it is listening, so its existence
    /// is the signal. Fails fast, with the broker's output, if the broker exits first.
    /// </summary>
    private static async Task<BrokerProcess> WhenListeningAsync(BrokerProcess broker)
    {
        try
        {
            var waited = Stopwatch.StartNew();
            while (!File.Exists(broker.PortsFilePath))
            {
                if (broker._process.HasExited)
                {
                    await broker._process.WaitForExitAsync(); // the rest of its output
                    throw new InvalidOperationException($"broker exited with {broker._process.ExitCode} before listening:\n{broker.Log}");
                }
                if (waited.Elapsed > StartTimeout) throw new TimeoutException($"broker did not start listening within {StartTimeout.TotalSeconds} s:\n{broker.Log}");
                await Task.Delay(20);
            }
            var ports = PortsFile.Read(broker.PortsFilePath);
            broker.Port = ports[JsonLinesDoor.Name].Port;
            broker.KafkaPort = ports[KafkaDoor.Name].Port;
            return broker;
        }
        catch
        {
            await broker.DisposeAsync();
            throw;
        }
    }

    private void OnLine(string? line)
    {
        if (line is null) return;
        lock (_log) _log.AppendLine(line);
    }
}
