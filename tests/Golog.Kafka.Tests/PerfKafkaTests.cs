using System.Text.RegularExpressions;
using Golog.EndToEnd.Tests;

namespace Golog.Kafka.Tests;

/// <summary>golog-perf --protocol kafka as a process against the broker's Kafka door: every message delivered and read back verified.</summary>
public sealed class PerfKafkaTests
{
    private const int Messages = 20_000;

    [Fact]
    public async Task Golog_perf_kafka_produces_and_consumes_every_message_with_the_broker_cpu_per_message()
    {
        await using var broker = await BrokerProcess.StartOnTempStorageAsync([]);
        string[] target = ["--protocol", "kafka", "--ports-file", broker.PortsFilePath, "--topic", "perf-kafka",
            "--messages", $"{Messages}", "--broker-pid", $"{broker.Pid}", "--max-seconds", "120"];

        var produced = await DotnetProgram.RunAsync("golog-perf", ["produce", "--partitions", "3", .. target], timeout: TimeSpan.FromSeconds(150));
        Assert.True(produced.ExitCode == 0, produced.Stdout + produced.Stderr);
        AssertResult(produced.Stdout, "produce");

        var consumed = await DotnetProgram.RunAsync("golog-perf", ["consume", .. target], timeout: TimeSpan.FromSeconds(150));
        Assert.True(consumed.ExitCode == 0, consumed.Stdout + consumed.Stderr);
        AssertResult(consumed.Stdout, "consume");
    }

    private static void AssertResult(string stdout, string workload)
    {
        var result = Regex.Match(stdout, "^RESULT .*$", RegexOptions.Multiline).Value;
        Assert.Contains($"workload={workload} protocol=kafka ", result);
        Assert.Contains($" msgs={Messages} ", result);
        Assert.Matches(@" broker_cpu_us_per_msg=\d+\.\d\d ", result);
        Assert.EndsWith("status=ok", result.TrimEnd());
    }
}
