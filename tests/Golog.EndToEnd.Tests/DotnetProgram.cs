using System.Diagnostics;

namespace Golog.EndToEnd.Tests;

/// <summary>Starts one of the project's console programs (built next to the tests) as a real process.</summary>
public static class DotnetProgram
{
    public static Process Start(string assemblyName, IEnumerable<string> args, bool redirectStdin = false,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = redirectStdin,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(System.IO.Path.Combine(AppContext.BaseDirectory, assemblyName + ".dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["DOTNET_TieredPGO"] = "0";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) psi.Environment[name] = value;
        return Process.Start(psi) ?? throw new InvalidOperationException($"could not start {assemblyName}");
    }

    /// <summary>Runs to completion (bounded), returning exit code and output.</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string assemblyName, IEnumerable<string> args,
        string? stdin = null, TimeSpan? timeout = null)
    {
        using var process = Start(assemblyName, args, redirectStdin: true);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null) await process.StandardInput.WriteAsync(stdin);
        process.StandardInput.Close();
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        try { await process.WaitForExitAsync(cts.Token); }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{assemblyName} {string.Join(' ', args)} did not exit in time; output so far: {await stdout}");
        }
        return (process.ExitCode, await stdout, await stderr);
    }
}
