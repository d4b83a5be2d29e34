using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Golog.Flood;

/// <summary>The broker built next to this tool, run as its own process on a free port with a throw-away storage directory.</summary>
public sealed partial class BrokerUnderTest : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _storage;

    private BrokerUnderTest(Process process, string storage, int port)
    {
        _process = process;
        _storage = storage;
        Port = port;
    }

    public int Port { get; }

    public static async Task<BrokerUnderTest> StartAsync(IEnumerable<string> extraArgs)
    {
        var storage = Directory.CreateTempSubdirectory("golog-flood-").FullName;
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in (string[])[Path.Combine(AppContext.BaseDirectory, "golog-broker.dll"), "--port", "0", "--storage", storage, .. extraArgs])
            psi.ArgumentList.Add(a);
        var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start golog-broker");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
        {
            var m = ListeningLine().Match(line);
            if (!m.Success) continue;
            _ = process.StandardOutput.ReadToEndAsync(); // keep draining so the broker never blocks on its log
            return new BrokerUnderTest(process, storage, int.Parse(m.Groups[1].Value));
        }
        throw new InvalidOperationException("golog-broker exited before listening");
    }

    /// <summary>Peak resident memory (VmHWM) in MiB, or null where /proc is missing.</summary>
    public long? PeakRssMiB()
    {
        var status = $"/proc/{_process.Id}/status";
        if (!File.Exists(status)) return null;
        var line = File.ReadLines(status).First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
        Directory.Delete(_storage, recursive: true);
    }

    [GeneratedRegex(@"listening on \S+:(\d+)")]
    private static partial Regex ListeningLine();
}
