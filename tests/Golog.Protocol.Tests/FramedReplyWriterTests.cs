using static Golog.Protocol.Tests.Wire;

namespace Golog.Protocol.Tests;

/// <summary>Framed reply lines byte for byte, as docs/PROTOCOL.md shows them.</summary>
public class FramedReplyWriterTests
{
    [Fact]
    public void Produce_reply_matches_the_protocol_document() =>
        Assert.Equal(
            """{"id":2,"ok":true,"topic":"orders","partition":0,"base_offset":41,"last_offset":43}""" + "\n",
            Framed(w => w.ProduceOk(Id("2"), "orders", 0, 41, 43)));

    [Fact]
    public void Fetch_reply_matches_the_protocol_document() =>
        Assert.Equal(
            """{"id":4,"ok":true,"topic":"orders","partition":0,"high_watermark":44,"log_start_offset":0,"records":[""" +
            """{"offset":41,"timestamp":1764000000000,"key":null,"message":"a"},""" +
            """{"offset":42,"timestamp":1764000000001,"key":"k","message":"b"}]}""" + "\n",
            Framed(w =>
            {
                w.BeginFetch(Id("4"), "orders", 0, 44, 0);
                w.BeginRecord(41, 1764000000000, false, default, "a"u8);
                w.EndRecord();
                w.BeginRecord(42, 1764000000001, true, "k"u8, "b"u8);
                w.EndRecord();
                w.EndFetch();
            }));

    [Fact]
    public void Fetch_reply_with_no_records_has_an_empty_list() =>
        Assert.Equal(
            """{"id":4,"ok":true,"topic":"orders","partition":1,"high_watermark":0,"log_start_offset":0,"records":[]}""" + "\n",
            Framed(w =>
            {
                w.BeginFetch(Id("4"), "orders", 1, 0, 0);
                w.EndFetch();
            }));

    [Fact]
    public void Record_headers_are_an_object_on_their_record_only() =>
        Assert.Equal(
            """{"id":4,"ok":true,"topic":"t","partition":0,"high_watermark":3,"log_start_offset":0,"records":[""" +
            """{"offset":0,"timestamp":1,"key":"","message":"","headers":{"trace":"t-1","src":"web"}},""" +
            """{"offset":1,"timestamp":2,"key":null,"message":"m"},""" +
            """{"offset":2,"timestamp":3,"key":null,"message":"n","headers":{"a":"b"}}]}""" + "\n",
            Framed(w =>
            {
                w.BeginFetch(Id("4"), "t", 0, 3, 0);
                w.BeginRecord(0, 1, true, ""u8, ""u8);
                w.RecordHeader("trace"u8, "t-1"u8);
                w.RecordHeader("src"u8, "web"u8);
                w.EndRecord();
                w.BeginRecord(1, 2, false, default, "m"u8);
                w.EndRecord();
                w.BeginRecord(2, 3, false, default, "n"u8);
                w.RecordHeader("a"u8, "b"u8);
                w.EndRecord();
                w.EndFetch();
            }));

    [Fact]
    public void Committed_reply_carries_the_offset() =>
        Assert.Equal("""{"id":6,"ok":true,"offset":44}""" + "\n", Framed(w => w.Committed(Id("6"), 44)));

    [Fact]
    public void Committed_reply_with_nothing_committed_carries_null() =>
        Assert.Equal("""{"id":6,"ok":true,"offset":null}""" + "\n", Framed(w => w.Committed(Id("6"), null)));

    [Fact]
    public void Plain_ok_reply_has_only_id_and_ok() =>
        Assert.Equal("""{"id":5,"ok":true}""" + "\n", Framed(w => w.Ok(Id("5"))));

    [Fact]
    public void Topic_created_reply_names_the_topic_and_its_partitions() =>
        Assert.Equal("""{"id":7,"ok":true,"topic":"orders","partitions":3}""" + "\n", Framed(w => w.TopicPartitions(Id("7"), "orders", 3)));

    [Fact]
    public void Metadata_reply_matches_the_protocol_document() =>
        Assert.Equal(
            """{"id":8,"ok":true,"topics":[{"name":"orders","partitions":[""" +
            """{"partition":0,"log_start_offset":0,"high_watermark":44},""" +
            """{"partition":1,"log_start_offset":10,"high_watermark":12}]},""" +
            """{"name":"empty","partitions":[]}]}""" + "\n",
            Framed(w => w.Metadata(Id("8"),
            [
                new TopicMetadata("orders", [new PartitionMetadata(0, 0, 44), new PartitionMetadata(1, 10, 12)]),
                new TopicMetadata("empty", []),
            ])));

    [Fact]
    public void Metadata_reply_with_no_topics_has_an_empty_list() =>
        Assert.Equal("""{"id":8,"ok":true,"topics":[]}""" + "\n", Framed(w => w.Metadata(Id("8"), [])));

    [Fact]
    public void Error_reply_matches_the_protocol_document() =>
        Assert.Equal(
            """{"id":4,"ok":false,"error":{"code":"offset_out_of_range","message":"offset 99 is past the high watermark 44","log_start_offset":0,"high_watermark":44}}""" + "\n",
            Framed(w => w.Error(Id("4"), new ProtocolError(ErrorCode.OffsetOutOfRange, "offset 99 is past the high watermark 44", 0, 44))));

    [Fact]
    public void Error_reply_without_offsets_leaves_them_out() =>
        Assert.Equal(
            """{"id":1,"ok":false,"error":{"code":"invalid_request","message":"missing \"topic\""}}""" + "\n",
            Framed(w => w.Error(Id("1"), new ProtocolError(ErrorCode.InvalidRequest, "missing \"topic\""))));

    [Fact]
    public void Error_reply_without_an_id_carries_a_null_id() =>
        Assert.Equal(
            """{"id":null,"ok":false,"error":{"code":"request_too_large","message":"too long"}}""" + "\n",
            Framed(w => w.Error(null, new ProtocolError(ErrorCode.RequestTooLarge, "too long"))));

    [Fact]
    public void A_parse_error_is_answered_with_the_id_the_line_gave()
    {
        var result = Parse("""{"type":"fetch","partition":"x","id":"a\"b"}""");
        Assert.Equal(
            """{"id":"a\"b","ok":false,"error":{"code":"invalid_request","message":"\"partition\" must be a non-negative integer"}}""" + "\n",
            Framed(w => w.Error(result.Id, result.Error!)));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("1.0e-3")]
    [InlineData("99999999999999999999999")]
    [InlineData("\"\"")]
    [InlineData("\"x\\\\y\"")]
    [InlineData("\"\\u0000\"")]
    [InlineData("\"ünï\"")]
    public void Every_reply_kind_echoes_the_id_byte_for_byte(string rawId)
    {
        var id = Id(rawId);
        string prefix = $$"""{"id":{{rawId}},"ok":""";
        Assert.StartsWith(prefix, Framed(w => w.Ok(id)));
        Assert.StartsWith(prefix, Framed(w => w.ProduceOk(id, "t", 0, 0, 0)));
        Assert.StartsWith(prefix, Framed(w => w.Committed(id, null)));
        Assert.StartsWith(prefix, Framed(w => w.TopicPartitions(id, "t", 1)));
        Assert.StartsWith(prefix, Framed(w => w.Metadata(id, [])));
        Assert.StartsWith(prefix, Framed(w => w.Error(id, new ProtocolError(ErrorCode.StorageError, "x"))));
        Assert.StartsWith(prefix, Framed(w => { w.BeginFetch(id, "t", 0, 0, 0); w.EndFetch(); }));
    }

    [Fact]
    public void Consecutive_replies_on_one_writer_are_separate_lines()
    {
        var text = Framed(w =>
        {
            w.ProduceOk(Id("1"), "t", 0, 0, 0);
            w.Error(Id("2"), new ProtocolError(ErrorCode.UnknownType, "nope"));
            w.BeginFetch(Id("3"), "t", 0, 1, 0);
            w.BeginRecord(0, 5, false, default, "m"u8);
            w.RecordHeader("h"u8, "v"u8);
            w.EndRecord();
            w.EndFetch();
            w.Committed(Id("4"), 9);
        });
        Assert.Equal(
            """{"id":1,"ok":true,"topic":"t","partition":0,"base_offset":0,"last_offset":0}""" + "\n" +
            """{"id":2,"ok":false,"error":{"code":"unknown_type","message":"nope"}}""" + "\n" +
            """{"id":3,"ok":true,"topic":"t","partition":0,"high_watermark":1,"log_start_offset":0,"records":[{"offset":0,"timestamp":5,"key":null,"message":"m","headers":{"h":"v"}}]}""" + "\n" +
            """{"id":4,"ok":true,"offset":9}""" + "\n",
            text);
    }

    [Fact]
    public void Quotes_backslashes_and_control_characters_in_a_message_are_escaped()
    {
        var text = Framed(w =>
        {
            w.BeginFetch(Id("1"), "t", 0, 1, 0);
            w.BeginRecord(0, 0, false, default, "say \"hi\"\\\n\r\t\0"u8);
            w.EndRecord();
            w.EndFetch();
        });
        Assert.Contains("""
            "message":"say \"hi\"\\\n\r\t\u0000"
            """, text);
        Assert.Single(text.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }
}
