using System.Diagnostics.Metrics;
using System.Text;
using Golog.EndToEnd.Tests;
using Golog.Storage;

namespace Golog.Http.Tests;

/// <summary>The storage layer's instruments, read with a plain MeterListener (what dotnet-counters and the exporter subscribe through).</summary>
public class StorageMetricsTests
{
    [Fact]
    public async Task Each_sync_round_of_a_real_log_is_one_fsync_duration_measurement()
    {
        using var storage = new TempStorage();
        var durations = new List<double>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            // by name: this may run inside StorageMetrics' own initialisation, before its fields are assigned
            if (instrument.Meter.Name == StorageMetrics.Name && instrument.Name == "golog.fsync.duration") l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<double>((_, value, _, _) => { lock (durations) durations.Add(value); });
        listener.Start();
        using var worker = new SyncWorker(1);
        using var log = PartitionLog.Open(Path.Combine(storage.Path, "t-0"), new LogConfig(), cleanShutdown: false, Serilog.Core.Logger.None);

        for (int i = 0; i < 3; i++)
        {
            ReadOnlyMemory<byte>[] values = [Encoding.UTF8.GetBytes($"message {i}")];
            log.Append(new RecordsToAppend(values), DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
            log.WritePending();
            await worker.SyncAsync(log.TakeUnsynced());
        }

        lock (durations)
        {
            Assert.Equal(3, durations.Count);
            Assert.All(durations, d => Assert.True(d > 0 && d < 60, $"{d} s"));
        }
    }
}
