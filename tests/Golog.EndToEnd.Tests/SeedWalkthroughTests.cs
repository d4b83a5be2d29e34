namespace Golog.EndToEnd.Tests;

/// <summary>The seed README's "Testing the System", step by step, with our producer and consumer consoles as real processes.</summary>
public sealed class SeedWalkthroughTests
{
    [Fact]
    public async Task Groups_consume_hello_world_resume_without_repeats_and_start_independently()
    {
        await using var broker = await InProcessBroker.StartAsync();
        string address = $"127.0.0.1:{broker.Port}";

        // Terminal 2: the seed's produce requests, pasted pretty-printed as in the seed README.
        var produced = await DotnetProgram.RunAsync("golog-producer", ["--broker", address], stdin: """
            {
              "type": "produce",
              "topic": "test",
              "partition": 0,
              "message": "hello"
            }
            {"type":"produce","topic":"test","partition":0,"message":"world"}

            """);
        Assert.Equal(0, produced.ExitCode);
        Assert.Contains("ack offset 0", produced.Stdout);
        Assert.Contains("ack offset 1", produced.Stdout);

        // Terminal 3: group1 sees both messages.
        var first = await Consume(address, "group1", 2);
        Assert.Contains("offset 0: hello", first);
        Assert.Contains("offset 1: world", first);

        // Restart the consumer: it resumes after its committed offset, no repeats.
        await DotnetProgram.RunAsync("golog-producer", ["--broker", address, "--topic", "test", "--partition", "0"], stdin: "again\n");
        var resumed = await Consume(address, "group1", 1);
        Assert.Contains("offset 2: again", resumed);
        Assert.DoesNotContain("offset 0:", resumed);
        Assert.DoesNotContain("offset 1:", resumed);

        // Terminal 4: group2 starts from offset 0, independent of group1.
        var group2 = await Consume(address, "group2", 3);
        Assert.Contains("offset 0: hello", group2);
        Assert.Contains("offset 1: world", group2);
        Assert.Contains("offset 2: again", group2);
    }

    [Fact]
    public async Task Producer_reports_a_clear_error_when_the_broker_is_down()
    {
        var result = await DotnetProgram.RunAsync("golog-producer", ["--broker", "127.0.0.1:1", "--topic", "t"], stdin: "hi\n");
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("cannot connect", result.Stderr);
        Assert.DoesNotContain("   at ", result.Stderr); // no stack trace
    }

    private static async Task<string> Consume(string address, string group, int messages)
    {
        var result = await DotnetProgram.RunAsync("golog-consumer",
            ["--broker", address, "--topic", "test", "--partition", "0", "--group", group, "--poll-interval", "200ms", "--max-messages", messages.ToString()]);
        Assert.True(result.ExitCode == 0, $"consumer exited {result.ExitCode}: {result.Stdout}\n{result.Stderr}");
        return result.Stdout;
    }
}
