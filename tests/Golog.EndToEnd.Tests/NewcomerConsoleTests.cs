using Golog.Client;

namespace Golog.EndToEnd.Tests;

/// <summary>The rough edges a newcomer hit with the producer and consumer consoles (issue 16), through real processes.</summary>
public sealed class NewcomerConsoleTests
{
    private static readonly string[] FastPoll = ["--poll-interval", "200ms"];

    [Fact]
    public async Task A_message_with_line_breaks_prints_as_one_escaped_line_and_as_its_bytes_with_raw()
    {
        await using var broker = await InProcessBroker.StartAsync();
        await using (var client = await GologClient.ConnectAsync("127.0.0.1", broker.Port))
            await client.ProduceAsync("notes", 0, ["line one\nline two\\end", "next"]);
        string[] args = ["--broker", $"127.0.0.1:{broker.Port}", "--topic", "notes", "--partition", "0", .. FastPoll, "--max-messages", "2"];

        var escaped = await DotnetProgram.RunAsync("golog-consumer", [.. args, "--group", "escaped"]);
        Assert.Contains("offset 0: line one\\nline two\\\\end\noffset 1: next\n", escaped.Stdout);

        var raw = await DotnetProgram.RunAsync("golog-consumer", [.. args, "--group", "raw", "--raw"]);
        Assert.Contains("offset 0: line one\nline two\\end\noffset 1: next\n", raw.Stdout);
    }

    [Fact]
    public async Task A_partition_past_the_topics_last_is_refused_at_once_instead_of_waited_for()
    {
        await using var broker = await InProcessBroker.StartAsync();
        await using (var client = await GologClient.ConnectAsync("127.0.0.1", broker.Port))
            await client.CreateTopicAsync("orders", 6);

        var result = await DotnetProgram.RunAsync("golog-consumer",
            ["--broker", $"127.0.0.1:{broker.Port}", "--topic", "orders", "--partition", "6", "--group", "g", .. FastPoll], timeout: TimeSpan.FromSeconds(30));
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("error: topic orders has 6 partition(s), numbered 0 to 5; there is no partition 6", result.Stderr);
        Assert.DoesNotContain("waiting for it", result.Stderr);
    }

    [Fact]
    public async Task Ctrl_c_while_waiting_for_a_topic_that_does_not_exist_yet_exits_0_without_a_failed_commit()
    {
        await using var broker = await InProcessBroker.StartAsync();
        await using var consumer = new ConsumerProcess(["--broker", $"127.0.0.1:{broker.Port}", "--topic", "later", "--partition", "0", "--group", "g", .. FastPoll]);
        await consumer.WaitForLineAsync("stderr: topic later partition 0 does not exist yet; waiting for it");

        Assert.Equal(0, await consumer.InterruptAsync());
        Assert.Contains("stopped while waiting for topic later partition 0; nothing to commit", consumer.Lines);
        Assert.DoesNotContain(consumer.Lines, l => l.Contains("could not commit"));
    }

    [Fact]
    public async Task Ctrl_c_at_an_interactive_prompt_leaves_the_terminal_on_a_fresh_line()
    {
        using var consumer = DotnetProgram.Start("golog-consumer", ["--broker", "127.0.0.1:1"], redirectStdin: true);
        // The prompt has no line break, so read characters until it is all there: then the consumer waits in ReadLine.
        var printed = new System.Text.StringBuilder();
        var buffer = new char[64];
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (!printed.ToString().EndsWith("Enter topic: "))
        {
            int n = await consumer.StandardOutput.ReadAsync(buffer, bound.Token);
            Assert.True(n > 0, $"the consumer ended before prompting; it printed: {printed}");
            printed.Append(buffer, 0, n);
        }

        using (var kill = System.Diagnostics.Process.Start("kill", ["-INT", consumer.Id.ToString()])) await kill.WaitForExitAsync(bound.Token);
        printed.Append(await consumer.StandardOutput.ReadToEndAsync(bound.Token));
        await consumer.WaitForExitAsync(bound.Token);
        Assert.EndsWith("Enter topic: \n", printed.ToString());
    }

    [Fact]
    public async Task An_unclosed_pretty_printed_request_is_refused_alone_and_the_next_valid_line_is_still_stored()
    {
        await using var broker = await InProcessBroker.StartAsync();
        var result = await DotnetProgram.RunAsync("golog-producer", ["--broker", $"127.0.0.1:{broker.Port}"], stdin: """
            {
              "type": "produce",
              "topic": "orders",
              "partition": 0,
              "message": "never closed"
            {"type":"produce","topic":"orders","partition":0,"message":"valid"}

            """);
        var lines = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.StartsWith("error: ", lines[0]);
        Assert.Equal("ack offset 0", lines[1]);
    }

    [Fact]
    public async Task The_producer_rides_out_a_broker_restart_resending_what_was_not_acknowledged()
    {
        using var storage = new TempStorage();
        var broker = await BrokerProcess.StartAsync(storage.Path);
        int port = broker.Port;
        try
        {
            await using var producer = new ConsumerProcess(["--broker", $"127.0.0.1:{port}", "--topic", "orders", "--partition", "0"],
                program: "golog-producer", redirectStdin: true);
            await producer.Input.WriteLineAsync("before");
            await producer.Input.FlushAsync();
            await producer.WaitForLineAsync("ack partition 0 offset 0");

            Assert.Equal(0, await broker.StopAsync());
            await broker.DisposeAsync();
            await producer.Input.WriteLineAsync("during");
            await producer.Input.FlushAsync();
            await producer.WaitForLineAsync("stderr: broker unavailable, reconnecting... (1 message(s) not acknowledged will be sent again)");
            broker = await BrokerProcess.StartAsync(storage.Path, "--port", port.ToString());
            await producer.WaitForLineAsync($"stderr: reconnected to broker at 127.0.0.1:{port}");
            await producer.WaitForLineAsync("ack partition 0 offset 1");

            producer.Input.Close();
            Assert.Equal(0, await producer.WaitForExitAsync());
            var consumed = await DotnetProgram.RunAsync("golog-consumer",
                ["--broker", $"127.0.0.1:{port}", "--topic", "orders", "--partition", "0", "--group", "check", .. FastPoll, "--max-messages", "2"]);
            Assert.Contains("offset 0: before\noffset 1: during\n", consumed.Stdout);
        }
        finally
        {
            await broker.DisposeAsync();
        }
    }
}
