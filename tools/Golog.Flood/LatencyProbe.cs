using System.Diagnostics;
using Golog.Client;

namespace Golog.Flood;

/// <summary>A well-behaved client: one produce at a time on its own topic, each round trip timed.</summary>
public static class LatencyProbe
{
    public sealed record Percentiles(double P50Ms, double P99Ms, int Samples)
    {
        public override string ToString() => $"p50 {P50Ms:F2} ms, p99 {P99Ms:F2} ms ({Samples} produces)";
    }

    public static async Task<Percentiles> MeasureAsync(int port, int samples)
    {
        await using var client = await GologClient.ConnectAsync("127.0.0.1", port);
        var latencies = new double[samples];
        for (int i = 0; i < samples; i++)
        {
            long start = Stopwatch.GetTimestamp();
            await client.ProduceAsync("probe", 0, $"probe-{i}");
            latencies[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }
        Array.Sort(latencies);
        return new Percentiles(At(latencies, 0.50), At(latencies, 0.99), samples);
    }

    private static double At(double[] sorted, double q) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];
}
