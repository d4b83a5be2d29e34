using System.Text.RegularExpressions;

namespace Golog.EndToEnd.Tests;

/// <summary>What every console's command line answers, before it talks to any broker: help, version, typos, Go spellings.</summary>
public sealed class ConsoleCommandLineTests
{
    [Theory]
    [InlineData("golog-broker", "--flush-policy <FLUSH_POLICY>", "[default: always] [env: GOLOG_FLUSH_POLICY]")]
    [InlineData("golog-producer", "--partition <N>", "[default: localhost:9092]")]
    [InlineData("golog-consumer", "--poll-interval <DURATION>", "[default: 1s]")]
    public async Task Help_lists_every_option_with_its_default_and_exits_0(string program, string option, string shownDefault)
    {
        var (exitCode, stdout, _) = await DotnetProgram.RunAsync(program, ["--help"]);
        Assert.Equal(0, exitCode);
        Assert.Contains(option, stdout);
        Assert.Contains(shownDefault, stdout);
        Assert.Contains("Go spelling with one dash", stdout);
    }

    [Theory]
    [InlineData("golog-broker")]
    [InlineData("golog-producer")]
    [InlineData("golog-consumer")]
    [InlineData("golog-perf")]
    public async Task Version_prints_the_version_and_exits_0(string program)
    {
        var (exitCode, stdout, _) = await DotnetProgram.RunAsync(program, ["--version"]);
        Assert.Equal(0, exitCode);
        Assert.Matches(@"^\d+\.\d+\.\d+", stdout);
    }

    [Theory]
    [InlineData("golog-broker", new[] { "--prot", "9093" }, "--port")]
    [InlineData("golog-producer", new[] { "--topik", "orders" }, "--topic")]
    [InlineData("golog-consumer", new[] { "--topic", "orders", "--gruop", "g1" }, "--group")]
    [InlineData("golog-perf", new[] { "produce", "--mesages", "10" }, "--messages")]
    public async Task A_misspelled_option_exits_1_suggesting_the_option_meant_without_a_stack_trace(string program, string[] args, string meant)
    {
        var (exitCode, stdout, stderr) = await DotnetProgram.RunAsync(program, args);
        Assert.Equal(1, exitCode);
        Assert.Contains($"'{args[^2]}' was not matched. Did you mean one of the following?\n{meant}\n", stderr);
        Assert.Contains($"Run {program} --help to see every option.", stderr);
        Assert.DoesNotMatch(new Regex(@"^\s+at ", RegexOptions.Multiline), stdout + stderr);
    }

    [Fact]
    public async Task A_bad_value_is_refused_in_the_users_words_with_exit_1()
    {
        var (exitCode, _, stderr) = await DotnetProgram.RunAsync("golog-consumer", ["--topic", "orders", "--poll-interval", "fast"]);
        Assert.Equal(1, exitCode);
        Assert.Contains("--poll-interval must be a duration like 500ms, 1s or 2m, not \"fast\"", stderr);
    }

    [Theory]
    [InlineData(new[] { "produce", "--protocol", "kafka", "--acks", "most" }, "--acks must be all, 1 or 0, not \"most\"")]
    [InlineData(new[] { "produce", "--protocol", "avro" }, "--protocol must be json or kafka, not \"avro\"")]
    [InlineData(new[] { "produce", "--mock" }, "--bootstrap, --ports-file, --mock and --acks are for --protocol kafka")]
    public async Task Golog_perf_refuses_a_kafka_option_it_cannot_use_in_the_users_words(string[] args, string message)
    {
        var (exitCode, _, stderr) = await DotnetProgram.RunAsync("golog-perf", args);
        Assert.Equal(1, exitCode);
        Assert.Contains(message, stderr);
    }

    [Fact]
    public async Task The_seeds_go_style_single_dash_flags_work_for_producer_and_consumer()
    {
        await using var broker = await InProcessBroker.StartAsync();
        string address = $"127.0.0.1:{broker.Port}";
        var produced = await DotnetProgram.RunAsync("golog-producer", ["-broker", address, "-topic", "orders", "-partition", "0"], stdin: "order-1\n");
        Assert.Equal((0, "ack partition 0 offset 0"), (produced.ExitCode, produced.Stdout.Trim()));

        var consumed = await DotnetProgram.RunAsync("golog-consumer",
            ["-broker", address, "-topic", "orders", "-partition", "0", "-group", "group1", "-poll-interval", "200ms", "-max-messages=1"]);
        Assert.Equal(0, consumed.ExitCode);
        Assert.Contains("offset 0: order-1", consumed.Stdout);
    }

    [Fact]
    public async Task Tab_completion_offers_the_options_that_start_with_what_was_typed()
    {
        const string line = "golog-consumer --p";
        var (exitCode, stdout, _) = await DotnetProgram.RunAsync("golog-consumer", [$"[suggest:{line.Length}]", line]);
        Assert.Equal(0, exitCode);
        Assert.Equal(["--partition", "--poll-interval"], stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }
}
