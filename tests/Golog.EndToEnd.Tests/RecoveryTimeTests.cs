using System.Diagnostics;
using Golog.Client;
using Golog.Storage;
using Serilog.Core;
using Xunit.Abstractions;

namespace Golog.EndToEnd.Tests;

/// <summary>
/// A measurement, run by hand (`dotnet pwsh build.ps1 recovery`, or GOLOG_RECOVERY_BENCH=1): how long the broker
/// process takes from start to "listening" and to its first successful fetch with a 1 GiB partition, after a
/// kill -9 and after a clean stop, with default 128 MiB segments and with the whole GiB in one active segment.
/// Page cache warm (as after a kill -9; a machine crash would read from disk). It asserts only that the last
/// acknowledged record is there; the figures go to the test output (and the README).
/// </summary>
public sealed class RecoveryTimeTests(ITestOutputHelper output)
{
    private const string Topic = "bench";
    // just under 1 GiB, so that with 128 MiB segments the active one is nearly full (the most a crash scans)
    private const long PartitionBytes = (1L << 30) - (1L << 20);
    private const int RecordBytes = 1024, RecordsPerBatch = 64;

    [SkippableTheory]
    [InlineData(128)]  // the default segment size: a crash scans only the last segment
    [InlineData(2047)] // the largest allowed: the whole GiB is the active segment, the worst case for a crash
    public async Task Recovery_time_of_a_1_GiB_partition(int segmentMiB)
    {
        Skip.If(Environment.GetEnvironmentVariable("GOLOG_RECOVERY_BENCH") is null,
            "a measurement that writes 1 GiB: run it with GOLOG_RECOVERY_BENCH=1 (dotnet pwsh build.ps1 recovery)");
        using var storage = new TempStorage();
        string[] args = ["--set", $"golog.segment.bytes={segmentMiB}MiB"];
        await MeasureStartAsync(storage.Path, args, "empty storage (process start-up alone)", lastOffset: null, stopCleanly: false);
        var build = Stopwatch.StartNew();
        long next = BuildPartition(storage.Path, segmentMiB * 1024L * 1024);
        var files = new DirectoryInfo(StorageLayout.PartitionDirectory(storage.Path, Topic, 0)).GetFiles("*.log");
        output.WriteLine($"built {files.Sum(f => f.Length) >> 20} MiB in {files.Length} segments, the active one {files.Max(f => f.Length) >> 20} MiB " +
                         $"({next} records) in {build.Elapsed.TotalSeconds:F1} s");

        for (int round = 0; round < 3; round++)
        {
            // one acknowledged produce, then SIGKILL: the next start must recover the active segment
            await using (var broker = await BrokerProcess.StartAsync(storage.Path, args))
            {
                await using var client = await GologClient.ConnectAsync("127.0.0.1", broker.Port);
                Assert.Equal(next, (await client.ProduceAsync(Topic, 0, "last")).BaseOffset);
                await broker.KillAsync();
            }
            await MeasureStartAsync(storage.Path, args, $"{segmentMiB} MiB segments, after kill -9", next, stopCleanly: true);
            await MeasureStartAsync(storage.Path, args, $"{segmentMiB} MiB segments, after clean stop", next, stopCleanly: false);
            next++;
        }
    }

    /// <summary>Starts the broker and fetches the record at <paramref name="lastOffset"/> (with none, a fetch that finds the topic missing).</summary>
    private async Task MeasureStartAsync(string storage, string[] args, string scenario, long? lastOffset, bool stopCleanly)
    {
        var clock = Stopwatch.StartNew();
        await using var broker = await BrokerProcess.StartAsync(storage, args);
        var listening = clock.Elapsed;
        await using (var client = await GologClient.ConnectAsync("127.0.0.1", broker.Port))
        {
            if (lastOffset is { } offset)
                Assert.Equal("last", Assert.Single((await client.FetchAsync(Topic, 0, offset)).Records).Message);
            else
                Assert.Equal("unknown_topic_or_partition", (await Assert.ThrowsAsync<GologException>(() => client.FetchAsync(Topic, 0, 0))).Code);
            var firstFetch = clock.Elapsed;
            // partitions open (and recover) while the listener binds: the gap is mostly recovery, the rest process start-up
            output.WriteLine($"{scenario}: listening after {listening.TotalMilliseconds:F0} ms, first fetch after {firstFetch.TotalMilliseconds:F0} ms " +
                             $"(+{(firstFetch - listening).TotalMilliseconds:F0} ms)");
        }
        if (stopCleanly) Assert.Equal(0, await broker.StopAsync());
    }

    /// <summary>Writes ~1 GiB of 1 KiB records straight through <see cref="PartitionLog"/> (much faster than produces) and closes it.</summary>
    private static long BuildPartition(string storage, long segmentBytes)
    {
        var config = new LogConfig { SegmentBytes = segmentBytes };
        using var log = PartitionLog.Open(StorageLayout.PartitionDirectory(storage, Topic, 0), config, cleanShutdown: false, Logger.None);
        var payload = new byte[RecordBytes];
        Random.Shared.NextBytes(payload);
        var values = Enumerable.Repeat((ReadOnlyMemory<byte>)payload, RecordsPerBatch).ToArray();
        long timestamp = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        for (int i = 0; i < 100_000 && log.SizeInBytes < PartitionBytes; i++) // bounded: ~16,000 batches make a GiB
        {
            log.Append(new RecordsToAppend(values), timestamp);
            log.WritePending();
        }
        log.Close();
        return log.LogEndOffset;
    }
}
