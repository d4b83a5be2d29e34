using Golog.Core;
using BenchmarkDotNet.Attributes;
using Golog.Broker.Doors.JsonLines;
using Golog.Protocol;
using Golog.Storage;

namespace Golog.Benchmarks;

/// <summary>Turning a fetched 1000-record batch into reply lines (record decode, JSON or seed text), per record; storage has CRC-checked it.</summary>
[MemoryDiagnoser]
public class FetchEncodeBenchmarks
{
    private const int Records = 1000;
    private readonly JsonReplyEncoder _encoder = new();
    private Fetched _fetched = null!;

    [GlobalSetup]
    public void Setup()
    {
        var batch = Samples.Records(Records);
        var bytes = new byte[RecordBatchWriter.Measure(batch, 0)];
        RecordBatchWriter.Write(bytes, 0, 0, 0, batch);
        _fetched = new Fetched("orders", 0, new ReadResult(bytes, bytes.Length), 0, Records, Records, 0);
    }

    [Benchmark(Description = "encode framed fetch reply, per record", OperationsPerInvoke = Records)]
    public int Framed() => _encoder.Encode(new JsonRequestContext(new RequestId("7"u8.ToArray())), _fetched).Length;

    [Benchmark(Description = "encode seed fetch reply, per record", OperationsPerInvoke = Records)]
    public int Seed() => _encoder.Encode(new JsonRequestContext(null), _fetched).Length;
}
