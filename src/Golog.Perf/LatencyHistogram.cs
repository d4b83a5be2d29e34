using System.Numerics;

namespace Golog.Perf;

/// <summary>
/// Counts latencies in microseconds in log-linear buckets (exact below 64 µs, then 32 buckets per power of two:
/// within ~3%), so percentiles cost no allocation per sample. Record is thread-safe.
/// </summary>
public sealed class LatencyHistogram
{
    private const int Linear = 64;
    private const int SubBuckets = 32;
    private readonly long[] _counts = new long[Linear + 58 * SubBuckets];

    public void Record(long micros) => Interlocked.Increment(ref _counts[Index(Math.Max(0, micros))]);

    public long Count
    {
        get
        {
            long n = 0;
            for (int i = 0; i < _counts.Length; i++) n += Volatile.Read(ref _counts[i]);
            return n;
        }
    }

    /// <summary>The latency in milliseconds below which <paramref name="fraction"/> of the samples fall; 0 with no samples.</summary>
    public double PercentileMs(double fraction)
    {
        long total = Count;
        if (total == 0) return 0;
        long rank = Math.Max(1, (long)Math.Ceiling(fraction * total)), seen = 0;
        for (int i = 0; i < _counts.Length; i++)
        {
            seen += Volatile.Read(ref _counts[i]);
            if (seen >= rank) return UpperBound(i) / 1000.0;
        }
        return UpperBound(_counts.Length - 1) / 1000.0;
    }

    private static int Index(long v)
    {
        if (v < Linear) return (int)v;
        int msb = 63 - BitOperations.LeadingZeroCount((ulong)v); // >= 6
        int sub = (int)(v >> (msb - 5)) & (SubBuckets - 1);
        return Math.Min(Linear + (msb - 6) * SubBuckets + sub, Linear + 58 * SubBuckets - 1);
    }

    private static long UpperBound(int index)
    {
        if (index < Linear) return index;
        int msb = (index - Linear) / SubBuckets + 6, sub = (index - Linear) % SubBuckets;
        return ((long)(SubBuckets + sub + 1) << (msb - 5)) - 1;
    }
}
