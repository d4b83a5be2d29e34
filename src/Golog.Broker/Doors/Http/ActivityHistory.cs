using System.Diagnostics.Metrics;
using Golog.Core;
using Golog.Core.Groups;
using Golog.Storage;

namespace Golog.Broker.Doors.Http;

/// <summary>One sample of the broker's activity: messages per second in (produced) and out (fetched) since the previous one.</summary>
public sealed record ThroughputPoint(long UnixMs, double InPerSecond, double OutPerSecond);

/// <summary>A group's total lag at one moment.</summary>
public sealed record LagPoint(long UnixMs, long Lag);

/// <summary>
/// What the console charts: throughput in and out over the last ten minutes, each group's lag over time and each
/// partition's recent append rate. Sampled every <see cref="Interval"/> from the core's own instruments (a
/// <see cref="MeterListener"/> on the produced and fetched counters) and the published partition and group status,
/// so the history costs the broker nothing between samples and asks no actor anything.
/// </summary>
public sealed class ActivityHistory : IDisposable
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);
    private const int Samples = 300; // ten minutes

    private readonly RoutingTable _routes;
    private readonly GroupBoard _groups;
    private readonly MeterListener _listener = new();
    private readonly Timer _timer;
    private readonly Lock _lock = new();
    private readonly Queue<ThroughputPoint> _throughput = new();
    private readonly Dictionary<string, Queue<LagPoint>> _lag = new(StringComparer.Ordinal);
    private Dictionary<TopicPartition, double> _rates = [];
    private Dictionary<TopicPartition, long> _lastHighWatermarks = [];
    private long _produced, _fetched, _lastProduced, _lastFetched;
    private long _lastSampleTicks = Environment.TickCount64;

    public ActivityHistory(RoutingTable routes, GroupBoard groups)
    {
        _routes = routes;
        _groups = groups;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == StorageMetrics.Name && instrument.Name is CoreMetrics.ProducedMessagesName or CoreMetrics.FetchedMessagesName)
                listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
        {
            if (instrument.Name == CoreMetrics.ProducedMessagesName) Interlocked.Add(ref _produced, value);
            else Interlocked.Add(ref _fetched, value);
        });
        _listener.Start();
        _timer = new Timer(_ => Sample(), null, Interval, Interval);
    }

    public IReadOnlyList<ThroughputPoint> Throughput() { lock (_lock) return [.. _throughput]; }

    public IReadOnlyList<LagPoint> LagOf(string group) { lock (_lock) return _lag.TryGetValue(group, out var q) ? [.. q] : []; }

    /// <summary>Messages per second appended to the partition over the last sample interval; 0 before the first.</summary>
    public double RateOf(TopicPartition tp) { lock (_lock) return _rates.GetValueOrDefault(tp); }

    /// <summary>Takes one sample now (the timer does every <see cref="Interval"/>).</summary>
    public void Sample()
    {
        long now = Environment.TickCount64;
        long unixMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        long produced = Interlocked.Read(ref _produced), fetched = Interlocked.Read(ref _fetched);
        var highWatermarks = _routes.OpenedHighWatermarks();
        var groupLag = _groups.Snapshot().Select(g => (g.Key, Lag: g.Value.Committed.Sum(c => Lag.Of(_routes, c.Key, c.Value) ?? 0))).ToList();
        lock (_lock)
        {
            double seconds = Math.Max(0.001, (now - _lastSampleTicks) / 1000.0);
            Push(_throughput, new ThroughputPoint(unixMs, (produced - _lastProduced) / seconds, (fetched - _lastFetched) / seconds));
            _rates = highWatermarks.ToDictionary(h => h.Key, h => _lastHighWatermarks.TryGetValue(h.Key, out var before) ? Math.Max(0, h.Value - before) / seconds : 0);
            foreach (var (group, lag) in groupLag)
            {
                if (!_lag.TryGetValue(group, out var q)) _lag[group] = q = new Queue<LagPoint>();
                Push(q, new LagPoint(unixMs, lag));
            }
            (_lastHighWatermarks, _lastProduced, _lastFetched, _lastSampleTicks) = (highWatermarks, produced, fetched, now);
        }
    }

    private static void Push<T>(Queue<T> queue, T point)
    {
        queue.Enqueue(point);
        while (queue.Count > Samples) queue.Dequeue();
    }

    public void Dispose()
    {
        _timer.Dispose();
        _listener.Dispose();
    }
}
