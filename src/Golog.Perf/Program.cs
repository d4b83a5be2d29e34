using Golog.Cli;
using Golog.Client;
using Golog.Perf;

// Exit codes (Golog.Cli.ExitCodes): 0 the run passed, 1 bad usage or the run failed, 2 broker not reachable.
return await ConsoleCommand.InvokeAsync(PerfOptions.CreateRoot(RunAsync), args);

static async Task<int> RunAsync(PerfOptions options)
{
    Console.WriteLine(options.Workload == Workload.Produce
        ? $"produce to {options.Broker} topic {options.Topic}: {options.Messages ?? 1_000_000} messages of {options.Size} B, batch {options.Batch}, {options.Connections} connection(s) x {options.InFlight} in flight, {options.Partitions ?? 1} partition(s){(options.Seed ? ", seed style" : "")}"
        : $"consume from {options.Broker} topic {options.Topic}: max {options.Batch} messages / {options.FetchMaxBytes} bytes per fetch");

    using var stop = new CancellationTokenSource(options.MaxTime);
    Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
    try
    {
        var result = options.Workload == Workload.Produce
            ? await ProduceRun.RunAsync(options, stop.Token)
            : await ConsumeRun.RunAsync(options, stop.Token);
        result.Print(options, options.Workload == Workload.Produce ? "acks" : "offsets+payloads+once+order");
        return result.Failure is null ? ExitCodes.Ok : ExitCodes.UsageOrRefused;
    }
    catch (BrokerUnavailableException e)
    {
        Console.Error.WriteLine($"golog-perf: {e.Message}");
        return ExitCodes.BrokerUnavailable;
    }
}
