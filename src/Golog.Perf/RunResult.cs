using System.Globalization;

namespace Golog.Perf;

/// <summary>How a run ended: messages completed, time taken, request latencies, and why it failed if it did.</summary>
public sealed record RunResult(long Messages, TimeSpan Elapsed, LatencyHistogram Latency, string? Failure)
{
    /// <summary>A human summary, then one "RESULT key=value ..." line for scripts.</summary>
    /// <param name="brokerCpuSeconds">the broker's CPU time over the run, when --broker-pid named it</param>
    public void Print(PerfOptions o, string verified, double? brokerCpuSeconds = null)
    {
        double secs = Math.Max(Elapsed.TotalSeconds, 1e-9);
        double rate = Messages / secs, mb = rate * o.Size / 1e6;
        string workload = o.Workload == Workload.Produce ? "produce" : "consume";
        string latency = o.Workload == Workload.Produce ? "ack latency" : "fetch latency";
        var inv = CultureInfo.InvariantCulture;
        Console.WriteLine(string.Create(inv,
            $"{workload}: {Messages:N0} messages of {o.Size} B in {secs:F2} s = {rate:N0} msgs/s, {mb:F1} MB/s; {latency} p50 {Latency.PercentileMs(0.5):F3} ms, p99 {Latency.PercentileMs(0.99):F3} ms, p99.9 {Latency.PercentileMs(0.999):F3} ms, max {Latency.PercentileMs(1):F3} ms"));
        double? cpuMicrosPerMessage = brokerCpuSeconds is { } cpu && Messages > 0 ? cpu * 1e6 / Messages : null;
        if (brokerCpuSeconds is { } brokerCpu)
            Console.WriteLine(string.Create(inv, $"broker CPU: {brokerCpu:F2} s over the run = {cpuMicrosPerMessage ?? 0:F2} µs per message"));
        if (Failure is not null) Console.Error.WriteLine($"FAILED: {Failure}");
        Console.WriteLine(string.Create(inv,
            $"RESULT workload={workload} protocol={(o.Mock ? "kafka-mock" : o.Protocol.ToString().ToLowerInvariant())} mode={(o.Seed ? "seed" : "framed")} connections={o.Connections} inflight={o.InFlight} batch={o.Batch} size={o.Size} msgs={Messages} secs={secs:F3} msgs_per_s={rate:F0} mb_per_s={mb:F2} p50_ms={Latency.PercentileMs(0.5):F3} p99_ms={Latency.PercentileMs(0.99):F3} p999_ms={Latency.PercentileMs(0.999):F3} {(cpuMicrosPerMessage is { } us ? $"broker_cpu_us_per_msg={us:F2} " : "")}verified={verified} status={(Failure is null ? "ok" : "failed")}"));
    }
}
