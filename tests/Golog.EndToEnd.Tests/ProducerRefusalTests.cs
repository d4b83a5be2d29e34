namespace Golog.EndToEnd.Tests;

/// <summary>
/// The producer console (--topic) when the broker refuses a message: one error line on stderr that says why in
/// words, no stack trace, the other lines still acked, exit code 1.
/// </summary>
public sealed class ProducerRefusalTests
{
    [Fact]
    public async Task A_message_over_the_brokers_limit_is_reported_on_stderr_and_the_exit_code_is_1()
    {
        using var storage = new TempStorage();
        await using var broker = await BrokerProcess.StartAsync(storage.Path, "--set", "golog.request.max-message-bytes=64");

        var result = await DotnetProgram.RunAsync("golog-producer", ["--broker", $"127.0.0.1:{broker.Port}", "--topic", "t", "--partition", "0"],
            stdin: "small\n" + new string('x', 100) + "\nsmall again\n");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal(["ack partition 0 offset 0", "ack partition 0 offset 1"], Lines(result.Stdout));
        var error = Assert.Single(Lines(result.Stderr));
        Assert.StartsWith("error: ", error);
        Assert.Contains("100", error);
        Assert.Contains("64", error);
        Assert.EndsWith("(message_too_large)", error);
    }

    [Fact]
    public async Task A_topic_name_the_broker_refuses_is_reported_on_stderr_and_the_exit_code_is_1()
    {
        using var storage = new TempStorage();
        await using var broker = await BrokerProcess.StartAsync(storage.Path);

        var result = await DotnetProgram.RunAsync("golog-producer", ["--broker", $"127.0.0.1:{broker.Port}", "--topic", "no spaces/allowed"],
            stdin: "hello\n");

        Assert.Equal(1, result.ExitCode);
        Assert.Empty(Lines(result.Stdout));
        var error = Assert.Single(Lines(result.Stderr));
        Assert.StartsWith("error: ", error);
        Assert.EndsWith("(invalid_topic_name)", error);
    }

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
