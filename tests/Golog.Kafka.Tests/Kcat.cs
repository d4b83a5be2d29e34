using System.Diagnostics;

namespace Golog.Kafka.Tests;

/// <summary>
/// kcat (Debian's 1.7.1, on librdkafka 2.0.2: the oldest client the door serves, and the one with the single-version
/// probing trap), run as a process against the broker. tests/run.sh installs it; without it these tests are skipped.
/// </summary>
public static class Kcat
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    public static bool Installed { get; } = File.Exists("/usr/bin/kcat") || (Environment.GetEnvironmentVariable("PATH") ?? "")
        .Split(':').Any(dir => File.Exists(Path.Combine(dir, "kcat")));

    public static void SkipUnlessInstalled() => Skip.IfNot(Installed, "kcat is not installed (tests/run.sh installs it as root)");

    /// <summary>Runs kcat with <paramref name="args"/> (and -b BROKER first), feeding <paramref name="stdin"/>.</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string bootstrap, string? stdin, params string[] args)
    {
        var psi = new ProcessStartInfo("kcat")
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        psi.ArgumentList.Add("-b");
        psi.ArgumentList.Add(bootstrap);
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null) await process.StandardInput.WriteAsync(stdin);
        process.StandardInput.Close();
        using var cts = new CancellationTokenSource(Timeout);
        try { await process.WaitForExitAsync(cts.Token); }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"kcat {string.Join(' ', args)} did not finish within {Timeout.TotalSeconds} s: {await stderr}");
        }
        return (process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Runs kcat and insists it succeeded; returns its stdout.</summary>
    public static async Task<string> OkAsync(string bootstrap, string? stdin, params string[] args)
    {
        var (exit, stdout, stderr) = await RunAsync(bootstrap, stdin, args);
        Assert.True(exit == 0, $"kcat {string.Join(' ', args)} exited {exit}: {stderr}");
        return stdout;
    }
}
