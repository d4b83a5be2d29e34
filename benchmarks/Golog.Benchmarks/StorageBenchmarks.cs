using BenchmarkDotNet.Attributes;
using Golog.Storage;

namespace Golog.Benchmarks;

/// <summary>
/// The storage hot paths, per record (OperationsPerInvoke): batch encode with CRC32C, append to a segment and write
/// it to the file, index lookup, and reading a fetch's worth of batches back.
/// </summary>
[MemoryDiagnoser]
public class StorageBenchmarks
{
    private const int BatchRecords = 1000;
    private RecordsToAppend _batch;
    private RecordsToAppend _single;
    private byte[] _encoded = [];
    private string _dir = "";
    private PartitionLog _appendLog = null!;
    private PartitionLog _readLog = null!;
    private OffsetIndex _index = null!;
    private long _readOffset;

    [GlobalSetup]
    public void Setup()
    {
        _batch = Samples.Records(BatchRecords);
        _single = Samples.Records(1);
        _encoded = new byte[RecordBatchWriter.Measure(_batch, 0)];
        _dir = Samples.TempDirectory();
        var config = new LogConfig { SegmentBytes = long.MaxValue / 2 };
        _appendLog = PartitionLog.Open(Path.Combine(_dir, "append-0"), config, cleanShutdown: false, Serilog.Core.Logger.None);
        _readLog = PartitionLog.Open(Path.Combine(_dir, "read-0"), config, cleanShutdown: false, Serilog.Core.Logger.None);
        for (int i = 0; i < 1000; i++) _readLog.Append(_batch, 0);
        var written = _readLog.WritePending();
        _readLog.MarkFlushed(written);
        _readLog.AdvanceHighWatermark(written.NextOffset);
        _index = new OffsetIndex();
        for (int i = 0; i < 100_000; i++) _index.Add(i * 40, i * 4096);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _appendLog.Dispose();
        _readLog.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    [Benchmark(Description = "encode batch + CRC32C, per record", OperationsPerInvoke = BatchRecords)]
    public int EncodeBatch() => RecordBatchWriter.Write(_encoded, 0, 0, 0, _batch);

    [Benchmark(Description = "append 1000-record batch + write, per record", OperationsPerInvoke = BatchRecords)]
    public long AppendBatch()
    {
        _appendLog.Append(_batch, 0);
        return _appendLog.WritePending().NextOffset;
    }

    [Benchmark(Description = "append 1000 one-record batches + write, per record", OperationsPerInvoke = BatchRecords)]
    public long AppendSingles()
    {
        for (int i = 0; i < BatchRecords; i++) _appendLog.Append(_single, 0);
        return _appendLog.WritePending().NextOffset;
    }

    [Benchmark(Description = "index lookup")]
    public int IndexLookup() => _index.Lookup(1_234_567);

    [Benchmark(Description = "fetch read of ~1000 records (128 KiB), per record", OperationsPerInvoke = BatchRecords)]
    public int FetchRead()
    {
        _readOffset = (_readOffset + 7919 * BatchRecords) % (_readLog.HighWatermark - BatchRecords);
        return _readLog.Read(_readOffset, 128 * 1024).Length;
    }
}
