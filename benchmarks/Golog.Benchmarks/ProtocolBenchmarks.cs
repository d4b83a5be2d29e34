using System.Buffers;
using BenchmarkDotNet.Attributes;
using Golog.Protocol;

namespace Golog.Benchmarks;

/// <summary>Request decode and reply encode: the per-request work of a connection.</summary>
[MemoryDiagnoser]
public class ProtocolBenchmarks
{
    private byte[] _seedProduce = [];
    private byte[] _batchProduce = [];
    private readonly ArrayBufferWriter<byte> _output = new(4096);
    private FramedReplyWriter _replies = null!;
    private readonly RequestId _id = new("42"u8.ToArray());

    [GlobalSetup]
    public void Setup()
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new RequestWriter(buffer);
        writer.SeedProduce("orders", 0, Samples.Messages(1)[0].Span);
        _seedProduce = buffer.WrittenSpan[..^1].ToArray();
        buffer.ResetWrittenCount();
        writer.Produce(1, "orders", 0, Samples.Messages(1000));
        _batchProduce = buffer.WrittenSpan[..^1].ToArray();
        _replies = new FramedReplyWriter(_output);
    }

    [Benchmark(Description = "decode seed produce (1 msg)")]
    public int DecodeSeedProduce() => RequestParser.Parse(_seedProduce).Request!.Messages.Length;

    [Benchmark(Description = "decode framed produce (1000 msgs)", OperationsPerInvoke = 1000)]
    public int DecodeBatchProduce() => RequestParser.Parse(_batchProduce).Request!.Messages.Length;

    [Benchmark(Description = "encode seed ack")]
    public int EncodeSeedAck()
    {
        _output.ResetWrittenCount();
        SeedText.Ack(_output, 123_456_789);
        return _output.WrittenCount;
    }

    [Benchmark(Description = "encode framed produce reply")]
    public int EncodeFramedAck()
    {
        _output.ResetWrittenCount();
        _replies.ProduceOk(_id, "orders", 0, 123_456_789, 123_457_788);
        return _output.WrittenCount;
    }
}
