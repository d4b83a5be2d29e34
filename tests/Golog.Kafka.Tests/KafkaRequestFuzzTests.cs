using System.Buffers.Binary;
using CsCheck;
using Golog.Broker;
using Golog.Broker.Doors;
using Golog.Broker.Doors.Kafka;
using Golog.Core;
using Xunit.Abstractions;

namespace Golog.Kafka.Tests;

/// <summary>
/// The Kafka request decoder facing hostile input: thousands of mutated requests of every served API per run (bytes
/// flipped, lengths and counts set to extremes, frames cut or padded, sizes re-framed so the body parser sees the
/// damage), plus a fixed corpus of nasty frames. Every frame is consumed whole and gives either core work or a
/// clean close, never an exception; every decoded request can be answered.
/// </summary>
public sealed class KafkaRequestFuzzTests(ITestOutputHelper output)
{
    private const int GeneratedPerRun = 20_000;

    private static readonly Akka.Configuration.Config Config = BrokerHost.LoadConfig(["--set", "golog.kafka.max-request-bytes=1MiB"], _ => null);
    private static readonly BrokerSettings Settings = BrokerSettings.From(Config);
    private static readonly KafkaSettings Kafka = KafkaSettings.From(Config);

    /// <summary>One valid request of each served API (and version family), as clients send them.</summary>
    private static readonly byte[][] Valid =
    [
        KafkaWireClient.Request(18, 3, 1, new RequestBody().Int8(11).Raw("librdkafka"u8).Int8(6).Raw("2.0.2"u8).Int8(0).ToArray(), flexibleHeader: true),
        KafkaWireClient.Request(18, 2, 2, []),
        KafkaWireClient.Request(3, 4, 3, new RequestBody().Int32(2).String("orders").String("clicks").Int8(1).ToArray()),
        KafkaWireClient.Request(3, 4, 4, new RequestBody().Int32(-1).Int8(0).ToArray()),
        KafkaRequests.Produce(5, "orders", -1, (0, KafkaRequests.Batch("a", "b")), (1, KafkaRequests.Batch("c"))),
        KafkaRequests.Produce(6, "orders", 0, (0, KafkaRequests.Batch("quiet"))),
        KafkaRequests.Fetch(7, "orders", 0, 5, maxWaitMs: 500),
        KafkaWireClient.Request(2, 1, 8, new RequestBody().Int32(-1).Int32(1).String("orders").Int32(2).Int32(0).Int64(-1).Int32(1).Int64(-2).ToArray()),
        KafkaRequests.CreateTopic(9, "fresh", -1, -1),
        KafkaWireClient.Request(19, 2, 10, new RequestBody().Int32(1).String("cfg").Int32(2).Int16(1)
            .Int32(1).Int32(0).Int32(1).Int32(1).Int32(1).String("retention.ms").String("1000").Int32(5000).Int8(1).ToArray()),
        KafkaWireClient.Request(22, 1, 11, new RequestBody().NullString().Int32(60_000).ToArray()),
    ];

    private static readonly int[] Extremes = [-1, 0, 1, short.MaxValue, int.MaxValue, int.MinValue, 0x7FFF_0000];

    private static readonly Gen<Func<byte[], byte[]>> Mutation = Gen.OneOf(
        Gen.Int.Select<int, Func<byte[], byte[]>>(at => b => Flip(b, at)),
        Gen.Int.SelectMany(at => Gen.Int[0, 6].Select<int, Func<byte[], byte[]>>(v => b => Put(b, at, Extremes[v]))),
        Gen.Int.Select<int, Func<byte[], byte[]>>(at => b => b[..Math.Clamp(Math.Abs(at % Math.Max(b.Length, 1)), 0, b.Length)]),
        Gen.Byte.Array[1, 40].Select<byte[], Func<byte[], byte[]>>(extra => b => [.. b, .. extra]),
        Gen.Const<Func<byte[], byte[]>>(Reframe));

    private static readonly Gen<byte[]> Mutated =
        Gen.Int[0, Valid.Length - 1].SelectMany(i => Gen.Int[1, 4].SelectMany(n => Mutation.Array[n, n].Select(ms => Apply(Valid[i], ms))));


    /// <summary>Mostly re-framed (size matching the bytes), so the damage reaches the header and body parsers rather than the framing.</summary>
    private static readonly Gen<byte[]> Reframed = Mutated.SelectMany(b => Gen.Int[0, 9].Select(k => k < 7 ? Reframe(b) : b));

    [Fact]
    public void Every_mutated_request_is_consumed_whole_and_decoded_or_closed_never_thrown()
    {
        int closed = 0, served = 0;
        Check.Sample(Reframed, frame =>
        {
            if (Decode(frame)) Interlocked.Increment(ref served);
            else Interlocked.Increment(ref closed);
        }, iter: GeneratedPerRun, print: b => Convert.ToHexString(b));
        output.WriteLine($"{GeneratedPerRun} mutated requests: {served} decoded into core work, {closed} closed the connection");
        Assert.True(closed > GeneratedPerRun / 10 && served > GeneratedPerRun / 10, $"the mutations should both break and spare requests: {served} served, {closed} closed");
    }

    [Fact]
    public void Every_unmutated_request_is_served_and_not_closed()
    {
        foreach (var request in Valid) Assert.True(Decode(request), Convert.ToHexString(request));
    }

    public static TheoryData<string, byte[]> Corpus() => new()
    {
        { "empty frame", [0, 0, 0, 0] },
        { "size only, negative", [0xFF, 0xFF, 0xFF, 0xFF] },
        { "header of a key past every table", KafkaWireClient.Request(short.MaxValue, 0, 1, []) },
        { "client id longer than the frame", [0, 0, 0, 10, 0, 18, 0, 2, 0, 0, 0, 1, 0x7F, 0xFF] },
        { "flexible header with a tag past the end", KafkaWireClient.Request(18, 3, 1, [1, 0, 0x7F]) },
        { "varint that never ends", KafkaWireClient.Request(18, 3, 1, [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]) },
        { "metadata topic name not UTF-8", KafkaWireClient.Request(3, 4, 1, new RequestBody().Int32(1).Int16(2).Raw([0xC3, 0x28]).Int8(1).ToArray()) },
        { "produce records of negative length", KafkaWireClient.Request(0, 3, 1, new RequestBody().NullString().Int16(-1).Int32(0).Int32(1).String("t").Int32(1).Int32(0).Int32(-7).ToArray()) },
        { "produce records claiming more than the frame", KafkaWireClient.Request(0, 3, 1, new RequestBody().NullString().Int16(-1).Int32(0).Int32(1).String("t").Int32(1).Int32(0).Int32(1 << 20).ToArray()) },
        { "fetch with every limit negative", KafkaWireClient.Request(1, 4, 1, new RequestBody().Int32(-1).Int32(-5).Int32(-5).Int32(-5).Int8(-1).Int32(1).String("t").Int32(1).Int32(-1).Int64(-9).Int32(-5).ToArray()) },
        { "create topics, 2 billion assignments", KafkaWireClient.Request(19, 2, 1, new RequestBody().Int32(1).String("t").Int32(1).Int16(1).Int32(int.MaxValue).ToArray()) },
    };

    [Theory]
    [MemberData(nameof(Corpus))]
    public void A_nasty_frame_is_consumed_and_closes_or_decodes_without_throwing(string what, byte[] frame)
    {
        var codec = KafkaDoor.Codec(Settings, Kafka, 9093);
        int consumed = codec.Decode(frame, out var request);
        Assert.True(consumed == frame.Length || consumed == 0, what);
        if (consumed > 0 && !request.Close) Answer(codec, request);
    }

    /// <summary>True when <paramref name="frame"/> gave core work; false when it closed the connection. Fails on an exception or a partial take.</summary>
    private static bool Decode(byte[] frame)
    {
        var codec = KafkaDoor.Codec(Settings, Kafka, 9093);
        int consumed = codec.Decode(frame, out var request);
        if (consumed == 0)
        {
            // "incomplete" only when the frame is: a size is there and more bytes than present are announced
            Assert.True(frame.Length < 4 || BinaryPrimitives.ReadInt32BigEndian(frame) > frame.Length - 4, "an whole frame was left undecoded");
            return false;
        }
        if (request.Close)
        {
            Assert.True(request.Context.NoReply);
            Assert.False(string.IsNullOrWhiteSpace(request.Error?.Message));
            return false;
        }
        Assert.Equal(frame.Length >= 4 ? Math.Min(frame.Length, 4 + BinaryPrimitives.ReadInt32BigEndian(frame)) : 0, consumed);
        Answer(codec, request);
        return true;
    }

    /// <summary>Encodes an answer to a decoded request as the core might give it (every part failing): must not throw.</summary>
    private static void Answer(KafkaCodec codec, in DecodedRequest<KafkaRequestContext> request)
    {
        Assert.True(request.Command is not null || request.Parts is not null || request.Answer is not null);
        var failure = new Failed(new BrokerError(BrokerErrorCode.UnknownTopicOrPartition, "gone"));
        ICoreResult result = request.Answer ?? (request.Parts is { } parts ? new PartResults(parts.Select(_ => (ICoreResult)failure).ToList()) : failure);
        codec.Encode(request.Context, result);
    }

    private static byte[] Apply(byte[] request, Func<byte[], byte[]>[] mutations) => mutations.Aggregate(request, (b, m) => m(b));

    private static byte[] Flip(byte[] b, int at)
    {
        if (b.Length == 0) return b;
        var copy = (byte[])b.Clone();
        copy[Math.Abs(at % copy.Length)] ^= (byte)(1 << (at & 7));
        return copy;
    }

    /// <summary>An extreme int16 or int32 at a random place past the size: a length, count or version gone wild.</summary>
    private static byte[] Put(byte[] b, int at, int value)
    {
        if (b.Length < 8) return b;
        var copy = (byte[])b.Clone();
        int pos = 4 + Math.Abs(at % (copy.Length - 4));
        if ((at & 1) == 0 && pos + 2 <= copy.Length) BinaryPrimitives.WriteInt16BigEndian(copy.AsSpan(pos), (short)value);
        else if (pos + 4 <= copy.Length) BinaryPrimitives.WriteInt32BigEndian(copy.AsSpan(pos), value);
        return copy;
    }

    /// <summary>Fixes the size prefix to the bytes present, so the damage reaches the header and body parsers.</summary>
    private static byte[] Reframe(byte[] b)
    {
        if (b.Length < 4) return b;
        var copy = (byte[])b.Clone();
        BinaryPrimitives.WriteInt32BigEndian(copy, copy.Length - 4);
        return copy;
    }
}
