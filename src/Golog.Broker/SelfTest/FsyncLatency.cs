using System.Diagnostics;

namespace Golog.Broker.SelfTest;

/// <summary>
/// The disk's fsync latency: a few hundred 4 KiB writes in the storage directory, each made durable on its own, as
/// the broker does before every acknowledgement under golog.flush.policy = always.
/// </summary>
public sealed record FsyncLatency(int Count, double P50Ms, double P99Ms)
{
    public static FsyncLatency Measure(string dir, int count = 300)
    {
        string path = Path.Combine(dir, $"fsync-probe-{Guid.NewGuid():N}.tmp");
        var times = new List<double>(count);
        var block = new byte[4096];
        try
        {
            using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0);
            for (int i = 0; i < count; i++)
            {
                file.Write(block);
                var clock = Stopwatch.StartNew();
                file.Flush(flushToDisk: true);
                times.Add(clock.Elapsed.TotalMilliseconds);
            }
        }
        finally
        {
            File.Delete(path);
        }
        times.Sort();
        return new FsyncLatency(count, times[count / 2], times[Math.Min(count - 1, count * 99 / 100)]);
    }
}
