using System.Diagnostics.Metrics;
using BenchmarkDotNet.Attributes;
using Golog.Broker.Doors;
using Golog.Core;
using Golog.Storage;
using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace Golog.Benchmarks;

/// <summary>
/// What the instruments cost on the hot path, per batch: everything one acknowledged produce batch records (produced
/// messages and bytes, the group-commit size, one fsync duration, one request duration) and everything one served
/// fetch records, with nothing listening (HTTP door off) and with the OpenTelemetry MeterProvider the HTTP door
/// builds aggregating them. Set beside StorageBenchmarks' append of the same 1,000-record batch, this is the ceiling
/// of what metrics can take from batched produce and consume (README "Observe").
/// </summary>
[MemoryDiagnoser]
public class MetricsBenchmarks
{
    private static readonly KeyValuePair<string, object?> TopicTag = CoreMetrics.Topic("orders");
    private static readonly KeyValuePair<string, object?> DoorTag = DoorMetrics.Door("json");
    private MeterProvider? _provider;

    [Params(false, true)]
    public bool Collecting { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        if (Collecting)
            _provider = Sdk.CreateMeterProviderBuilder().AddMeter(StorageMetrics.Name).AddPrometheusExporter().Build();
    }

    [GlobalCleanup]
    public void Cleanup() => _provider?.Dispose();

    [Benchmark(Description = "record one acknowledged produce batch of 1,000")]
    public void ProduceBatch()
    {
        StorageMetrics.FsyncDuration.Record(0.0002);
        CoreMetrics.GroupCommitMessages.Record(1000);
        CoreMetrics.ProducedMessages.Add(1000, TopicTag);
        CoreMetrics.ProducedBytes.Add(110_000, TopicTag);
        if (DoorMetrics.RequestDuration.Enabled) DoorMetrics.RequestDuration.Record(0.001, DoorTag, new("request", "produce"));
    }

    [Benchmark(Description = "record one served fetch of 5,000")]
    public void FetchBatch()
    {
        CoreMetrics.FetchedMessages.Add(5000, TopicTag);
        CoreMetrics.FetchedBytes.Add(550_000, TopicTag);
        if (DoorMetrics.RequestDuration.Enabled) DoorMetrics.RequestDuration.Record(0.004, DoorTag, new("request", "fetch"));
    }
}
