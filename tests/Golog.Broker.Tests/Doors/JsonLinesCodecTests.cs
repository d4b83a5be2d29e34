using System.Text;
using Golog.Broker.Doors;
using Golog.Broker.Doors.JsonLines;
using Golog.Core;
using Golog.Protocol;
using Golog.Core.Groups;
using Golog.Storage;

namespace Golog.Broker.Tests.Doors;

/// <summary>
/// The codec contract every door's codec keeps, shown on the JSON-lines codec: Decode takes one whole request from the
/// front of the input and says how many bytes it used, 0 while the request is incomplete, however the bytes arrive.
/// </summary>
public sealed class JsonLinesCodecTests
{
    private static readonly BrokerSettings Settings = BrokerSettings.From(BrokerSpec.TestConfig()) with { MaxLineBytes = 200 };

    private const string Produce = """{"type":"produce","id":1,"topic":"orders","partition":2,"messages":["a","b"]}""";
    private const string SeedFetch = """{"type":"fetch","topic":"orders","partition":0,"offset":5}""";
    private const string Join = """{"type":"join_group","id":"j","group":"billing","topics":["orders"]}""";

    /// <summary>Feeds <paramref name="chunks"/> as a connection would (append, then decode while whole requests are buffered).</summary>
    private static List<DecodedRequest<JsonRequestContext>> DecodeAll(IEnumerable<byte[]> chunks)
    {
        var codec = new JsonLinesCodec(Settings);
        var input = new InputBuffer(16);
        var decoded = new List<DecodedRequest<JsonRequestContext>>();
        foreach (var chunk in chunks)
        {
            input.Append(chunk);
            int consumed;
            while (input.Length > 0 && (consumed = codec.Decode(input.Span, out var request)) > 0)
            {
                input.Consume(consumed);
                decoded.Add(request);
            }
        }
        Assert.Equal(0, input.Length); // every byte of every whole line was consumed
        return decoded;
    }

    private static byte[] Lines(params string[] lines) => Encoding.UTF8.GetBytes(string.Concat(lines.Select(l => l + "\n")));

    private static void AssertTheThreeRequests(List<DecodedRequest<JsonRequestContext>> decoded)
    {
        Assert.Equal(3, decoded.Count);
        var produce = Assert.IsType<ProduceCommand>(decoded[0].Command);
        Assert.Equal(("orders", 2, 2), (produce.Topic, produce.Partition, produce.Records.Count));
        Assert.True(decoded[0].Context.Framed);
        var fetch = Assert.IsType<FetchCommand>(decoded[1].Command);
        Assert.Equal(("orders", 0, 5L), (fetch.Topic, fetch.Partition, fetch.Offset));
        Assert.False(decoded[1].Context.Framed); // seed style: no id, the seed's reply text
        Assert.Equal(Settings.DefaultFetchMaxBytes, decoded[1].ReplyBytes); // a fetch holds its max bytes against the budget
        Assert.Equal("billing", Assert.IsType<JoinGroupCommand>(decoded[2].Command).Group);
    }

    [Fact]
    public void Many_requests_in_one_read_are_decoded_in_order_each_consuming_exactly_its_line()
    {
        var codec = new JsonLinesCodec(Settings);
        var bytes = Lines(Produce, SeedFetch, Join);
        Assert.Equal(Produce.Length + 1, codec.Decode(bytes, out _));
        Assert.Equal(SeedFetch.Length + 1, codec.Decode(bytes.AsSpan(Produce.Length + 1), out _));
        AssertTheThreeRequests(DecodeAll([bytes]));
    }

    [Fact]
    public void A_partial_request_consumes_nothing_until_its_line_ends()
    {
        var codec = new JsonLinesCodec(Settings);
        var line = Encoding.UTF8.GetBytes(Produce);
        Assert.Equal(0, codec.Decode(line, out _));
        Assert.Equal(0, codec.Decode(line, out _)); // asking again with no new bytes changes nothing
        var whole = Lines(Produce);
        Assert.Equal(whole.Length, codec.Decode(whole, out var request));
        Assert.IsType<ProduceCommand>(request.Command);
    }

    [Fact]
    public void Requests_split_at_every_byte_decode_exactly_as_when_sent_whole()
    {
        var bytes = Lines(Produce, SeedFetch, Join);
        for (int cut = 1; cut < bytes.Length; cut++)
            AssertTheThreeRequests(DecodeAll([bytes[..cut], bytes[cut..]]));
        AssertTheThreeRequests(DecodeAll(bytes.Select(b => new[] { b }))); // one byte per read
    }

    [Fact]
    public void A_crlf_line_ending_is_accepted_like_lf()
    {
        var decoded = DecodeAll([Encoding.UTF8.GetBytes(SeedFetch + "\r\n")]);
        Assert.IsType<FetchCommand>(Assert.Single(decoded).Command);
    }

    [Fact]
    public void A_malformed_line_is_answered_with_an_error_in_its_own_style_and_the_next_line_still_decodes()
    {
        var decoded = DecodeAll([Lines("""{"type":"produce","id":7,"topic":""", SeedFetch)]);
        Assert.Equal(2, decoded.Count);
        Assert.Null(decoded[0].Command);
        Assert.Equal(BrokerErrorCode.InvalidJson, decoded[0].Error!.Code);
        Assert.Equal("7", decoded[0].Context.Id.ToString());
        Assert.False(decoded[0].Close);
        Assert.IsType<FetchCommand>(decoded[1].Command);
    }

    [Fact]
    public void A_line_over_the_limit_is_refused_before_its_end_arrives_and_closes_the_connection()
    {
        var codec = new JsonLinesCodec(Settings);
        var start = Encoding.UTF8.GetBytes("""{"id":3,"type":"produce","topic":"t","message":""" + new string('x', Settings.MaxLineBytes));
        Assert.Equal(start.Length, codec.Decode(start, out var request)); // no newline yet: refused once past the limit
        Assert.True(request.Close);
        Assert.Equal(BrokerErrorCode.RequestTooLarge, request.Error!.Code);
        Assert.Contains("request.max-line-bytes", request.Error.Message);
        Assert.True(request.Context.Framed); // it began with an id, so the error is a framed line (id null)
    }

    [Fact]
    public void A_line_of_exactly_the_limit_is_a_request()
    {
        var codec = new JsonLinesCodec(Settings);
        const string prefix = "{\"type\":\"produce\",\"topic\":\"t\",\"message\":\"";
        var line = prefix + new string('x', Settings.MaxLineBytes - prefix.Length - 2) + "\"}";
        Assert.Equal(Settings.MaxLineBytes, line.Length);
        codec.Decode(Lines(line), out var request);
        Assert.IsType<ProduceCommand>(request.Command);
    }

    [Fact]
    public void Replies_are_encoded_in_the_style_of_their_request()
    {
        var codec = new JsonLinesCodec(Settings);
        DecodeOne(codec, Produce, out var framed);
        DecodeOne(codec, SeedFetch, out var seed);
        var produced = new Produced("orders", 2, 41, 42);
        Assert.Equal("""{"id":1,"ok":true,"topic":"orders","partition":2,"base_offset":41,"last_offset":42}""" + "\n", Text(codec.Encode(framed, produced)));
        Assert.Equal("ack offset 41\n", Text(codec.Encode(seed, produced)));
        var failure = new Failed(new BrokerError(BrokerErrorCode.OffsetOutOfRange, "offset 9 is past the high watermark 3 of orders-0", 0, 3));
        Assert.Equal("error: offset 9 is past the high watermark 3 of orders-0\n", Text(codec.Encode(seed, failure)));
        var framedError = Text(codec.Encode(framed, failure));
        Assert.Contains("\"code\":\"offset_out_of_range\"", framedError);
        Assert.Contains("\"log_start_offset\":0", framedError);
        Assert.Contains("\"high_watermark\":3", framedError);
    }

    [Fact]
    public void A_fetch_reply_carries_the_records_from_the_asked_offset_and_stops_before_a_batch_cut_by_the_byte_limit()
    {
        var codec = new JsonLinesCodec(Settings);
        DecodeOne(codec, SeedFetch, out var seed);
        var first = Batch(0, "a", "b", "c");
        var second = Batch(3, "d");
        var data = first.Concat(second[..^1]).ToArray(); // the second batch cut short, as a byte-limited read leaves it
        var fetched = new Fetched("orders", 0, new ReadResult(data, data.Length), FromOffset: 1, MaxMessages: 10, HighWatermark: 4, LogStartOffset: 0);
        Assert.Equal("offset 1: b\noffset 2: c\n", Text(codec.Encode(seed, fetched)));
        var limited = fetched with { MaxMessages = 1 };
        Assert.Equal("offset 1: b\n", Text(codec.Encode(seed, limited)));
    }

    [Fact]
    public void The_clients_error_codes_and_the_cores_are_the_same_set()
    {
        var protocol = typeof(Golog.Protocol.ErrorCode).GetFields().Select(f => (string)f.GetValue(null)!).Order().ToList();
        var core = Enum.GetValues<BrokerErrorCode>().Select(c => c.Wire().Json).Order().ToList();
        Assert.Equal(core, protocol); // so every code the parser answers with maps back (FromWire)
    }

    [Fact]
    public void Every_core_error_has_a_json_code_and_the_parser_codes_map_back()
    {
        foreach (var code in Enum.GetValues<BrokerErrorCode>())
            Assert.Equal(code, JsonWireMapping.FromWire(JsonWireMapping.ToWire(new BrokerError(code, "m"))).Code);
    }

    private static void DecodeOne(JsonLinesCodec codec, string line, out JsonRequestContext context)
    {
        codec.Decode(Lines(line), out var request);
        context = request.Context;
    }

    private static byte[] Batch(long baseOffset, params string[] values)
    {
        var records = new RecordsToAppend(values.Select(v => (ReadOnlyMemory<byte>)Encoding.UTF8.GetBytes(v)).ToArray());
        var bytes = new byte[RecordBatchWriter.Measure(records, 0)];
        RecordBatchWriter.Write(bytes, baseOffset, 0, 0, records);
        return bytes;
    }

    private static string Text(ReadOnlySpan<byte> bytes) => Encoding.UTF8.GetString(bytes);
}
