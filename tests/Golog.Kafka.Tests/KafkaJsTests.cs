using System.Diagnostics;
using System.Text.Json;

namespace Golog.Kafka.Tests;

/// <summary>
/// KafkaJS 2.2.4 (pinned in kafkajs/package-lock.json; tests/run.sh installs it with npm ci) driven through node:
/// the admin API and producers, idempotent and plain. Skipped where node or the installed package is missing.
/// </summary>
public sealed class KafkaJsTests : IAsyncLifetime
{
    internal static readonly string Dir = Path.Combine(SourceDirectory(), "kafkajs");
    private KafkaTestBroker _broker = null!;

    public async Task InitializeAsync() => _broker = await KafkaTestBroker.StartAsync();
    public async Task DisposeAsync() => await _broker.DisposeAsync();

    [SkippableFact]
    public async Task Admin_and_producers_of_KafkaJS_create_list_produce_with_every_acks_and_delete()
    {
        Skip.IfNot(Directory.Exists(Path.Combine(Dir, "node_modules", "kafkajs")), "KafkaJS is not installed (tests/run.sh runs npm ci in " + Dir + ")");
        var result = JsonDocument.Parse(await RunNodeAsync("producer-admin.js", _broker.Bootstrap)).RootElement;

        Assert.True(result.GetProperty("created").GetBoolean());
        Assert.False(result.GetProperty("createdAgain").GetBoolean()); // TOPIC_ALREADY_EXISTS: KafkaJS answers false
        Assert.Equal(["kjs-idem", "kjs-plain"], result.GetProperty("listed").EnumerateArray().Select(e => e.GetString()));
        Assert.All(result.GetProperty("idempotentErrors").EnumerateArray(), e => Assert.Equal(0, e.GetInt32()));
        Assert.Equal(40, result.GetProperty("idempotentHigh").GetInt32());
        Assert.Equal(["0"], result.GetProperty("acks1Offsets").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(0, result.GetProperty("acks0Answered").GetInt32());
        Assert.Equal(4, result.GetProperty("plainHigh").GetInt32());
        Assert.Empty(result.GetProperty("afterDelete").EnumerateArray());
    }

    internal static async Task<string> RunNodeAsync(string script, string bootstrap)
    {
        var psi = new ProcessStartInfo("node") { WorkingDirectory = Dir, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(script);
        psi.ArgumentList.Add(bootstrap);
        psi.Environment["KAFKAJS_NO_PARTITIONER_WARNING"] = "1";
        Process process;
        try { process = Process.Start(psi)!; }
        catch (System.ComponentModel.Win32Exception) { throw new SkipException("node is not installed"); }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
            await process.WaitForExitAsync(cts.Token);
            Assert.True(process.ExitCode == 0, $"node {script} exited {process.ExitCode}: {await stderr}");
            return (await stdout).Trim().Split('\n')[^1];
        }
    }

    /// <summary>This test project's source folder (the node scripts live there, not in bin/).</summary>
    private static string SourceDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Golog.Kafka.Tests.csproj"))) return dir.FullName;
        throw new DirectoryNotFoundException("tests/Golog.Kafka.Tests not found above " + AppContext.BaseDirectory);
    }
}
