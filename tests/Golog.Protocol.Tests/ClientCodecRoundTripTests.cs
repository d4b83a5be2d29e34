using System.Buffers;
using static Golog.Protocol.Tests.Wire;

namespace Golog.Protocol.Tests;

/// <summary>
/// The client's codecs agree with the broker's: what RequestWriter writes, RequestParser reads back field for field,
/// and what FramedReplyWriter writes, ReplyReader reads back value for value.
/// </summary>
public class ClientCodecRoundTripTests
{
    // ---- RequestWriter → RequestParser ----

    private static Request WriteAndParse(Action<RequestWriter> write)
    {
        var line = SingleLine(Output(b => write(new RequestWriter(b))));
        var result = RequestParser.Parse(line);
        Assert.Null(result.Error);
        Assert.True(result.IsFramed);
        return result.Request!;
    }

    private static ReadOnlyMemory<byte>[] Bodies(params string[] messages) => [.. messages.Select(m => new ReadOnlyMemory<byte>(Utf8(m)))];

    [Fact]
    public void Produce_of_one_message_round_trips()
    {
        var r = WriteAndParse(w => w.Produce(11, "orders", 0, Bodies("order-123")));
        Assert.Equal(RequestType.Produce, r.Type);
        Assert.Equal("11", r.Id.ToString());
        Assert.Equal("orders", r.Topic);
        Assert.Equal(0, r.Partition);
        Assert.Equal("order-123", Text(Assert.Single(r.Messages)));
        Assert.Null(r.Key);
        Assert.Empty(r.Headers);
    }

    [Fact]
    public void Produce_of_a_batch_round_trips()
    {
        var r = WriteAndParse(w => w.Produce(12, "orders", 2, Bodies("a", "", "c\n\"d\"")));
        Assert.Equal(2, r.Partition);
        Assert.Equal(["a", "", "c\n\"d\""], r.Messages.Select(m => Text(m)).ToArray());
    }

    [Fact]
    public void Produce_with_a_key_and_no_partition_round_trips()
    {
        var r = WriteAndParse(w => w.Produce(13, "orders", null, Bodies("x"), key: "customer-7"));
        Assert.Null(r.Partition);
        Assert.Equal("customer-7", Text(r.Key));
    }

    [Fact]
    public void Produce_with_headers_round_trips()
    {
        var headers = new Dictionary<string, string> { ["trace"] = "t-1", ["ünï"] = "çødé \"q\"" };
        var r = WriteAndParse(w => w.Produce(14, "orders", 1, Bodies("x", "y"), key: "k", headers: headers));
        Assert.Equal("k", Text(r.Key));
        Assert.Equal(headers, r.Headers.ToDictionary(h => Text(h.Key), h => Text(h.Value)));
        Assert.Equal(2, r.Messages.Length);
    }

    [Fact]
    public void Produce_with_empty_headers_writes_none()
    {
        var line = Text(Output(b => new RequestWriter(b).Produce(1, "t", 0, Bodies("x"), headers: new Dictionary<string, string>())));
        Assert.DoesNotContain("headers", line);
    }

    [Fact]
    public void Fetch_with_limits_round_trips()
    {
        var r = WriteAndParse(w => w.Fetch(21, "orders", 3, 41, maxMessages: 1000, maxBytes: 1048576, maxWaitMs: 500));
        Assert.Equal(RequestType.Fetch, r.Type);
        Assert.Equal("21", r.Id.ToString());
        Assert.Equal("orders", r.Topic);
        Assert.Equal(3, r.Partition);
        Assert.Equal(41, r.Offset);
        Assert.Equal(1000, r.MaxMessages);
        Assert.Equal(1048576, r.MaxBytes);
        Assert.Equal(500, r.MaxWaitMs);
    }

    [Fact]
    public void Fetch_without_limits_round_trips()
    {
        var r = WriteAndParse(w => w.Fetch(22, "orders", 0, long.MaxValue));
        Assert.Equal(long.MaxValue, r.Offset);
        Assert.Null(r.MaxMessages);
        Assert.Null(r.MaxBytes);
        Assert.Null(r.MaxWaitMs);
    }

    [Fact]
    public void Commit_round_trips()
    {
        var r = WriteAndParse(w => w.Commit(31, "group1", "orders", 0, 44));
        Assert.Equal(RequestType.Commit, r.Type);
        Assert.Equal("group1", r.Group);
        Assert.Equal("orders", r.Topic);
        Assert.Equal(0, r.Partition);
        Assert.Equal(44, r.Offset);
    }

    [Fact]
    public void Committed_round_trips()
    {
        var r = WriteAndParse(w => w.Committed(32, "group1", "orders", 5));
        Assert.Equal(RequestType.Committed, r.Type);
        Assert.Equal("group1", r.Group);
        Assert.Equal("orders", r.Topic);
        Assert.Equal(5, r.Partition);
    }

    [Fact]
    public void Create_topic_round_trips()
    {
        var r = WriteAndParse(w => w.CreateTopic(41, "orders", 3));
        Assert.Equal(RequestType.CreateTopic, r.Type);
        Assert.Equal("orders", r.Topic);
        Assert.Equal(3, r.Partitions);
    }

    [Fact]
    public void Metadata_for_all_topics_round_trips()
    {
        var r = WriteAndParse(w => w.Metadata(51));
        Assert.Equal(RequestType.Metadata, r.Type);
        Assert.Null(r.Topic);
    }

    [Fact]
    public void Metadata_for_one_topic_round_trips()
    {
        var r = WriteAndParse(w => w.Metadata(52, "orders"));
        Assert.Equal("orders", r.Topic);
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(long.MaxValue)]
    [InlineData(-1L)]
    public void The_client_id_comes_back_in_the_reply(long id)
    {
        var request = WriteAndParse(w => w.Metadata(id));
        var reply = ReplyReader.Parse(SingleLine(Output(b => new FramedReplyWriter(b).Ok(request.Id!.Value))));
        Assert.Equal(id, reply.Id);
        Assert.True(reply.Ok);
    }

    [Fact]
    public void Pipelined_requests_from_one_writer_frame_and_parse_in_order()
    {
        var buffer = new ArrayBufferWriter<byte>();
        var w = new RequestWriter(buffer);
        w.Produce(1, "orders", 0, Bodies("a\nb"));
        w.Fetch(2, "orders", 0, 0);
        w.Commit(3, "g", "orders", 0, 1);
        w.Committed(4, "g", "orders", 0);
        w.CreateTopic(5, "t2", 2);
        w.Metadata(6);

        var framer = new LineFramer(1024);
        framer.Append(buffer.WrittenSpan);
        var types = new List<RequestType>();
        var ids = new List<string>();
        while (framer.TryReadLine(out var line) == FrameStatus.Line)
        {
            var r = RequestParser.Parse(line);
            Assert.Null(r.Error);
            types.Add(r.Request!.Type);
            ids.Add(r.Id.ToString()!);
        }
        Assert.Equal(
            [RequestType.Produce, RequestType.Fetch, RequestType.Commit, RequestType.Committed, RequestType.CreateTopic, RequestType.Metadata],
            types.ToArray());
        Assert.Equal(["1", "2", "3", "4", "5", "6"], ids.ToArray());
        Assert.Equal(0, framer.Buffered);
    }

    // ---- FramedReplyWriter → ReplyReader ----

    private static Reply WriteAndRead(Action<FramedReplyWriter> write) =>
        ReplyReader.Parse(SingleLine(Output(b => write(new FramedReplyWriter(b)))));

    [Fact]
    public void Produce_ack_round_trips()
    {
        var reply = WriteAndRead(w => w.ProduceOk(Id("2"), "orders", 1, 41, 43));
        Assert.Equal(2, reply.Id);
        Assert.True(reply.Ok);
        Assert.Null(reply.Error);
        Assert.Equal("orders", reply.Topic);
        Assert.Equal(1, reply.Partition);
        Assert.Equal(41, reply.BaseOffset);
        Assert.Equal(43, reply.LastOffset);
    }

    [Fact]
    public void Error_with_log_bounds_round_trips()
    {
        var error = new ProtocolError(ErrorCode.OffsetOutOfRange, "offset 99 is past the high watermark 44", 3, 44);
        var reply = WriteAndRead(w => w.Error(Id("4"), error));
        Assert.Equal(4, reply.Id);
        Assert.False(reply.Ok);
        Assert.Equal(error, reply.Error);
    }

    [Fact]
    public void Error_without_log_bounds_round_trips()
    {
        var error = new ProtocolError(ErrorCode.UnknownTopicOrPartition, "unknown topic \"x\"\nor partition");
        var reply = WriteAndRead(w => w.Error(Id("5"), error));
        Assert.False(reply.Ok);
        Assert.Equal(error, reply.Error);
    }

    [Fact]
    public void Error_without_an_id_reads_as_no_id()
    {
        var reply = WriteAndRead(w => w.Error(null, new ProtocolError(ErrorCode.RequestTooLarge, "too long")));
        Assert.Null(reply.Id);
        Assert.Equal(ErrorCode.RequestTooLarge, reply.Error!.Code);
    }

    [Fact]
    public void A_string_id_reads_as_no_numeric_id()
    {
        var reply = WriteAndRead(w => w.Ok(Id("\"abc\"")));
        Assert.Null(reply.Id);
        Assert.True(reply.Ok);
    }

    [Fact]
    public void Committed_number_round_trips()
    {
        var reply = WriteAndRead(w => w.Committed(Id("6"), 44));
        Assert.True(reply.Ok);
        Assert.Equal(44, reply.Offset);
    }

    [Fact]
    public void Committed_null_round_trips()
    {
        var reply = WriteAndRead(w => w.Committed(Id("6"), null));
        Assert.True(reply.Ok);
        Assert.Null(reply.Offset);
    }

    [Fact]
    public void Topic_created_round_trips()
    {
        var reply = WriteAndRead(w => w.TopicPartitions(Id("7"), "orders", 3));
        Assert.Equal("orders", reply.Topic);
        Assert.Equal(3, reply.Partitions);
    }

    [Fact]
    public void Metadata_round_trips()
    {
        TopicMetadata[] topics =
        [
            new("orders", [new PartitionMetadata(0, 0, 44), new PartitionMetadata(1, 7, long.MaxValue)]),
            new("empty", []),
        ];
        var reply = WriteAndRead(w => w.Metadata(Id("8"), topics));
        Assert.True(reply.Ok);
        Assert.Equal(2, reply.Topics!.Count);
        for (int i = 0; i < topics.Length; i++)
        {
            Assert.Equal(topics[i].Name, reply.Topics[i].Name);
            Assert.Equal(topics[i].Partitions, reply.Topics[i].Partitions);
        }
    }

    [Fact]
    public void Fetch_with_records_keys_and_headers_round_trips()
    {
        var reply = WriteAndRead(w =>
        {
            w.BeginFetch(Id("4"), "orders", 2, 44, 40);
            w.BeginRecord(41, 1764000000000, false, default, "a"u8);
            w.EndRecord();
            w.BeginRecord(42, 1764000000001, true, "customer-7"u8, "b\n\"c\""u8);
            w.RecordHeader("trace"u8, "t-1"u8);
            w.RecordHeader("ünï"u8, "ç"u8);
            w.EndRecord();
            w.BeginRecord(43, 1764000000002, true, ""u8, ""u8);
            w.EndRecord();
            w.EndFetch();
        });
        Assert.Equal(4, reply.Id);
        Assert.True(reply.Ok);
        Assert.Equal("orders", reply.Topic);
        Assert.Equal(2, reply.Partition);
        Assert.Equal(44, reply.HighWatermark);
        Assert.Equal(40, reply.LogStartOffset);
        var records = reply.Records!;
        Assert.Equal(3, records.Count);

        Assert.Equal(new FetchedRecord(41, 1764000000000, null, "a"), records[0]);

        Assert.Equal(42, records[1].Offset);
        Assert.Equal(1764000000001, records[1].Timestamp);
        Assert.Equal("customer-7", records[1].Key);
        Assert.Equal("b\n\"c\"", records[1].Message);
        Assert.Equal(new Dictionary<string, string> { ["trace"] = "t-1", ["ünï"] = "ç" }, records[1].Headers);

        Assert.Equal("", records[2].Key);
        Assert.Equal("", records[2].Message);
        Assert.Null(records[2].Headers);
    }

    [Fact]
    public void Fetch_with_no_records_reads_as_an_empty_list()
    {
        var reply = WriteAndRead(w => { w.BeginFetch(Id("4"), "orders", 0, 0, 0); w.EndFetch(); });
        Assert.NotNull(reply.Records);
        Assert.Empty(reply.Records);
    }

    [Fact]
    public void Unknown_reply_members_are_skipped()
    {
        var reply = ReplyReader.Parse("""{"id":1,"future":{"a":[1,2]},"ok":true,"offset":3,"more":[{"x":null}]}"""u8);
        Assert.Equal(1, reply.Id);
        Assert.True(reply.Ok);
        Assert.Equal(3, reply.Offset);
    }

    [Theory]
    [InlineData("ack offset 0")]
    [InlineData("[1]")]
    [InlineData("{\"id\":1,\"ok\":")]
    [InlineData("{\"id\":1,\"ok\":\"yes\"}")]
    public void A_line_that_is_not_a_framed_reply_is_a_format_error(string line) =>
        Assert.Throws<FormatException>(() => ReplyReader.Parse(Utf8(line)));
}
