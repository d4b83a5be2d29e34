using Golog.Cli;
using Golog.Client;
using Golog.Perf;

// Exit codes (Golog.Cli.ExitCodes): 0 the run passed, 1 bad usage or the run failed, 2 broker not reachable.
return await ConsoleCommand.InvokeAsync(PerfOptions.CreateRoot(RunAsync), args);

static async Task<int> RunAsync(PerfOptions options)
{
    Console.WriteLine(Describe(options));
    using var stop = new CancellationTokenSource(options.MaxTime);
    Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
    try
    {
        double? cpuBefore = options.BrokerPid is { } pid ? BrokerCpu.Seconds(pid) : null;
        var result = (options.Protocol, options.Workload) switch
        {
            (Protocol.Kafka, Workload.Produce) => await KafkaProduceRun.RunAsync(options, stop.Token),
            (Protocol.Kafka, Workload.Consume) => await KafkaConsumeRun.RunAsync(options, stop.Token),
            (_, Workload.Produce) => await ProduceRun.RunAsync(options, stop.Token),
            _ => await ConsumeRun.RunAsync(options, stop.Token),
        };
        double? cpu = options.BrokerPid is { } p && BrokerCpu.Seconds(p) is { } after && cpuBefore is { } before ? after - before : null;
        result.Print(options, options.Workload == Workload.Produce ? "acks" : "offsets+payloads+once+order", cpu);
        return result.Failure is null ? ExitCodes.Ok : ExitCodes.UsageOrRefused;
    }
    catch (BrokerUnavailableException e)
    {
        Console.Error.WriteLine($"golog-perf: {e.Message}");
        return ExitCodes.BrokerUnavailable;
    }
}

static string Describe(PerfOptions o)
{
    string target = o.Protocol == Protocol.Json ? o.Broker.ToString() : o.Mock ? "the librdkafka mock cluster" : "the Kafka door";
    return o.Workload == Workload.Produce
        ? $"produce to {target} topic {o.Topic}: {o.Messages ?? 1_000_000} messages of {o.Size} B, " + (o.Protocol == Protocol.Kafka
            ? $"Confluent.Kafka acks={o.Acks}, linger 5 ms, {o.Partitions ?? 1} partition(s)"
            : $"batch {o.Batch}, {o.Connections} connection(s) x {o.InFlight} in flight, {o.Partitions ?? 1} partition(s){(o.Seed ? ", seed style" : "")}")
        : $"consume from {target} topic {o.Topic}" + (o.Protocol == Protocol.Kafka ? " with Confluent.Kafka" : $": max {o.Batch} messages / {o.FetchMaxBytes} bytes per fetch");
}
