using System.CommandLine;
using Golog.Cli;
using Golog.Client;
using Golog.Flood;
using Golog.Harness;

// Measures what a flood costs a well-behaved client: produce latency p50/p99 before, during and after 1,000
// producing connections plus one client pipelining 100,000 requests it never reads, and the broker's peak RSS.
// Usage: dotnet run -c Release --project tools/Golog.Flood -- [--connections N] [--pipelined N] [--samples N] [--set golog.KEY=VALUE ...]
var connectionsFlag = ConsoleOption.Create<int?>("--connections", "producing connections of the flood [default: 1000]", "N", text => ValueParsers.PositiveInt(text, "--connections"));
var pipelinedFlag = ConsoleOption.Create<int?>("--pipelined", "requests the one unread connection pipelines [default: 100000]", "N", text => ValueParsers.PositiveInt(text, "--pipelined"));
var samplesFlag = ConsoleOption.Create<int?>("--samples", "latency samples per phase [default: 2000]", "N", text => ValueParsers.PositiveInt(text, "--samples"));
var setFlag = new Option<string[]>("--set") { Description = "a broker setting, passed on as --set (repeatable)", HelpName = "golog.KEY=VALUE" };
var root = new RootCommand("Golog flood benchmark: a well-behaved client's produce latency without, during and after a flood.")
{
    connectionsFlag, pipelinedFlag, samplesFlag, setFlag,
};
root.SetAction(parsed => RunAsync(parsed.GetValue(connectionsFlag) ?? 1000, parsed.GetValue(pipelinedFlag) ?? 100_000, parsed.GetValue(samplesFlag) ?? 2000,
    (parsed.GetValue(setFlag) ?? []).SelectMany(kv => new[] { "--set", kv }).ToList()));
return await ConsoleCommand.InvokeAsync(root, args);

static async Task<int> RunAsync(int connections, int pipelined, int samples, List<string> brokerArgs)
{
    await using var broker = await BrokerProcess.StartOnTempStorageAsync(brokerArgs);
    await using (var admin = await GologClient.ConnectAsync("127.0.0.1", broker.Port)) await admin.CreateTopicAsync("flood", 8);
    await LatencyProbe.MeasureAsync(broker.Port, Math.Min(samples, 200)); // warm-up: JIT, topic creation

    var quiet = await LatencyProbe.MeasureAsync(broker.Port, samples);
    Console.WriteLine($"without flood: {quiet}");
    LatencyProbe.Percentiles flooded;
    long acked;
    await using (var flood = await FloodLoad.StartAsync(broker.Port, connections, pipelined))
    {
        flooded = await LatencyProbe.MeasureAsync(broker.Port, samples);
        acked = flood.Acked;
    }
    Console.WriteLine($"during flood:  {flooded} ({connections} connections producing, {acked} acked meanwhile; 1 connection pipelining {pipelined} unread)");
    var after = await LatencyProbe.MeasureAsync(broker.Port, samples);
    Console.WriteLine($"after flood:   {after}");
    Console.WriteLine($"p99 during / without flood: {flooded.P99Ms / quiet.P99Ms:F1}x; broker peak RSS {(broker.PeakRssBytes() / (1024 * 1024))?.ToString() ?? "n/a"} MiB");
    return ExitCodes.Ok;
}
