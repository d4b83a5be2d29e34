using System.Diagnostics;
using System.Text;
using Golog.Protocol;

namespace Golog.Http.Tests;

/// <summary>
/// The web console in a real headless browser: Debian's chromium driven by playwright-core (browser/, pinned in its
/// package-lock.json; tests/run.sh installs both). Skipped, saying why, where node, the packages or chromium are missing.
/// </summary>
public class BrowserTests
{
    private const string Chromium = "/usr/bin/chromium";
    private const string Xss = "<img src=x onerror=alert(1)>";
    private static readonly string BrowserDir = Path.Combine(RepositoryRoot(), "tests", "Golog.Http.Tests", "browser");

    [SkippableFact]
    public async Task Overview_topic_partition_messages_and_group_render_live_data_with_user_text_escaped()
    {
        Skip.IfNot(File.Exists(Chromium), $"{Chromium} is missing (tests/run.sh installs Debian's chromium as root)");
        Skip.IfNot(Directory.Exists(Path.Combine(BrowserDir, "node_modules", "playwright-core")), "playwright-core is not installed (tests/run.sh runs npm ci in " + BrowserDir + ")");
        await using var broker = await HttpBroker.StartAsync();
        await using var client = await broker.ConnectAsync();
        string longTopic = "customer-events." + new string('x', 200) + ".v1";
        const string topic = "shop.orders", group = "billing";
        // a broker with a thousand topics: the console must stay fast and readable
        await Task.WhenAll(Enumerable.Range(0, 4).Select(async worker =>
        {
            await using var creator = await broker.ConnectAsync();
            for (int i = worker; i < 1000; i += 4) await creator.CreateTopicAsync($"load-{i:D4}", 1);
        }));
        await client.CreateTopicAsync(longTopic, 1);
        await client.ProduceAsync(longTopic, 0, "a message on a topic with a long name");
        await client.ProduceAsync(topic, 0, "{\"order\":1,\"total\":12.5}", key: "customer-1");
        await client.ProduceAsync(topic, 0, Xss, key: "<b>key</b>");
        await client.ProduceAsync(topic, 0, Enumerable.Range(0, 20).Select(i => $"order-{i}").ToList());
        var joined = await client.JoinGroupAsync(group, [topic], sessionTimeout: TimeSpan.FromMinutes(5), clientId: "billing-service<script>"); // no heartbeats needed during the walk
        long highWatermark = 22, committed = 5;

        string screenshots = Path.Combine(AppContext.BaseDirectory, "screenshots");
        Directory.CreateDirectory(screenshots);
        var psi = new ProcessStartInfo("node") { WorkingDirectory = BrowserDir, RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in (string[])["console-walk.mjs", broker.BaseAddress.ToString(), screenshots, topic, group, Xss, (highWatermark - committed).ToString()])
            psi.ArgumentList.Add(a);
        using var node = Process.Start(psi)!;
        var output = new StringBuilder();
        var stderr = node.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            while (await node.StandardOutput.ReadLineAsync(deadline.Token) is { } line)
            {
                output.AppendLine(line);
                if (line != "READY-FOR-COMMIT") continue;
                await client.CommitAsync(group, topic, 0, committed, member: new MemberGeneration(joined.MemberId, joined.GenerationId));
                await node.StandardInput.WriteLineAsync("committed");
                await node.StandardInput.FlushAsync();
            }
            await node.WaitForExitAsync(deadline.Token);
        }
        finally
        {
            if (!node.HasExited) node.Kill(entireProcessTree: true);
        }

        Assert.True(node.ExitCode == 0, $"the browser walk failed:\n{output}\n{await stderr}");
        foreach (var name in (string[])["overview", "topic", "messages", "group", "cluster"]) Assert.True(File.Exists(Path.Combine(screenshots, name + ".png")), name);
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Golog.sln"))) return dir.FullName;
        throw new InvalidOperationException("Golog.sln not found above " + AppContext.BaseDirectory);
    }
}
