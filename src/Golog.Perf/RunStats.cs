using System.Diagnostics;
using System.Globalization;

namespace Golog.Perf;

/// <summary>
/// What a run has done so far: messages completed and the latency of each request (produce: send to ack;
/// consume: one fetch round trip), overall and since the last progress line. Thread-safe.
/// </summary>
public sealed class RunStats
{
    private LatencyHistogram _interval = new();
    private long _messages;

    public LatencyHistogram Total { get; } = new();
    public long Messages => Interlocked.Read(ref _messages);

    public void Completed(int messages, long startTimestamp)
    {
        long micros = (long)Stopwatch.GetElapsedTime(startTimestamp).TotalMicroseconds;
        Interlocked.Add(ref _messages, messages);
        Total.Record(micros);
        Volatile.Read(ref _interval).Record(micros);
    }

    /// <summary>Prints one progress line a second until <paramref name="stop"/> is cancelled.</summary>
    public async Task ReportProgressAsync(int size, Stopwatch clock, CancellationToken stop)
    {
        long lastMessages = 0;
        var lastTime = clock.Elapsed;
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        try
        {
            while (await timer.WaitForNextTickAsync(stop).ConfigureAwait(false))
            {
                var now = clock.Elapsed;
                long messages = Messages;
                var interval = Interlocked.Exchange(ref _interval, new LatencyHistogram());
                double rate = (messages - lastMessages) / (now - lastTime).TotalSeconds;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{now.TotalSeconds,6:F1} s {messages,12:N0} msgs {rate,12:N0} msgs/s {rate * size / 1e6,8:F1} MB/s  p50 {interval.PercentileMs(0.5):F3} ms  p99 {interval.PercentileMs(0.99):F3} ms"));
                (lastMessages, lastTime) = (messages, now);
            }
        }
        catch (OperationCanceledException) { }
    }
}
