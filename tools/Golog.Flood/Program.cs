using Golog.Client;
using Golog.Flood;
using Golog.Harness;

// Measures what a flood costs a well-behaved client: produce latency p50/p99 before, during and after 1,000
// producing connections plus one client pipelining 100,000 requests it never reads, and the broker's peak RSS.
// Usage: dotnet run -c Release --project tools/Golog.Flood -- [--connections N] [--pipelined N] [--samples N] [--set golog.KEY=VALUE ...]
int connections = 1000, pipelined = 100_000, samples = 2000;
var brokerArgs = new List<string>();
var cli = new CommandLineArgs(args);
while (cli.MoveNext())
{
    switch (cli.Current)
    {
        case "--connections": connections = int.Parse(cli.Value()); break;
        case "--pipelined": pipelined = int.Parse(cli.Value()); break;
        case "--samples": samples = int.Parse(cli.Value()); break;
        case "--set": brokerArgs.AddRange(["--set", cli.Value()]); break;
        default: throw cli.Unknown();
    }
}

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
