using static Golog.Protocol.Tests.Wire;

namespace Golog.Protocol.Tests;

/// <summary>Well-formed requests of both styles, every type of docs/PROTOCOL.md.</summary>
public class RequestParserTests
{
    // ---- seed style: exactly what the Go seed's producer and consumer send ----

    [Fact]
    public void Seed_produce_line_parses_as_an_unframed_produce()
    {
        var r = Accept("""{"type":"produce","topic":"orders","partition":0,"message":"order-123"}""");
        Assert.Equal(RequestType.Produce, r.Type);
        Assert.False(r.IsFramed);
        Assert.Null(r.Id);
        Assert.Equal("orders", r.Topic);
        Assert.Equal(0, r.Partition);
        Assert.Equal("order-123", Text(Assert.Single(r.Messages)));
        Assert.Null(r.Key);
        Assert.Empty(r.Headers);
    }

    [Fact]
    public void Seed_fetch_line_parses_as_an_unframed_fetch()
    {
        var r = Accept("""{"type":"fetch","topic":"orders","partition":0,"offset":0}""");
        Assert.Equal(RequestType.Fetch, r.Type);
        Assert.False(r.IsFramed);
        Assert.Equal("orders", r.Topic);
        Assert.Equal(0, r.Partition);
        Assert.Equal(0, r.Offset);
        Assert.Empty(r.Messages);
        Assert.Null(r.MaxMessages);
    }

    [Fact]
    public void Seed_fetch_keeps_a_nonzero_partition_and_offset()
    {
        var r = Accept("""{"type":"fetch","topic":"orders","partition":2,"offset":17}""");
        Assert.Equal(2, r.Partition);
        Assert.Equal(17, r.Offset);
    }

    [Fact]
    public void Seed_produce_without_partition_defaults_to_partition_zero()
    {
        var r = Accept("""{"type":"produce","topic":"orders","message":"x"}""");
        Assert.Equal(0, r.Partition);
    }

    [Fact]
    public void Seed_fetch_without_partition_and_offset_defaults_both_to_zero()
    {
        var r = Accept("""{"type":"fetch","topic":"orders"}""");
        Assert.Equal(0, r.Partition);
        Assert.Equal(0, r.Offset);
    }

    [Fact]
    public void Seed_requests_carrying_the_unused_zero_valued_members_of_the_seeds_struct_still_parse()
    {
        // A Go struct marshalled without omitempty sends every field, e.g. an empty message on a fetch.
        var fetch = Accept("""{"type":"fetch","topic":"orders","partition":0,"message":"","offset":5}""");
        Assert.Equal(5, fetch.Offset);
        var produce = Accept("""{"type":"produce","topic":"orders","partition":0,"message":"m","offset":0}""");
        Assert.Equal("m", Text(Assert.Single(produce.Messages)));
    }

    [Fact]
    public void Go_html_escapes_in_a_seed_message_are_unescaped()
    {
        // encoding/json writes <, > and & as \u003c, \u003e, \u0026 by default.
        var r = Accept("""{"type":"produce","topic":"orders","partition":0,"message":"\u003cb\u003e \u0026"}""");
        Assert.Equal("<b> &", Text(r.Messages[0]));
    }

    [Fact]
    public void Members_may_come_in_any_order_and_surrounding_whitespace_is_allowed()
    {
        var r = Accept(""" { "message" : "x" , "partition" : 1 , "topic" : "orders" , "type" : "produce" } """ + "\r");
        Assert.Equal(RequestType.Produce, r.Type);
        Assert.Equal(1, r.Partition);
    }

    [Fact]
    public void Unknown_members_of_any_shape_are_ignored()
    {
        var r = Accept("""{"type":"metadata","id":1,"future":{"a":[1,{"b":null}],"c":"d"},"also":true}""");
        Assert.Equal(RequestType.Metadata, r.Type);
    }

    // ---- framed style ----

    [Fact]
    public void Framed_produce_of_one_message()
    {
        var r = Accept("""{"type":"produce","id":1,"topic":"orders","partition":0,"message":"order-123"}""");
        Assert.True(r.IsFramed);
        Assert.Equal("1", r.Id.ToString());
        Assert.Equal("orders", r.Topic);
        Assert.Equal(0, r.Partition);
        Assert.Equal("order-123", Text(Assert.Single(r.Messages)));
    }

    [Fact]
    public void Framed_produce_of_a_batch_keeps_message_order()
    {
        var r = Accept("""{"type":"produce","id":2,"topic":"orders","partition":0,"messages":["a","b","c"]}""");
        Assert.Equal(["a", "b", "c"], r.Messages.Select(m => Text(m)));
    }

    [Fact]
    public void Framed_produce_with_a_key_and_no_partition_leaves_the_partition_to_the_broker()
    {
        var r = Accept("""{"type":"produce","id":3,"topic":"orders","key":"customer-7","message":"x"}""");
        Assert.Null(r.Partition);
        Assert.Equal("customer-7", Text(r.Key));
    }

    [Fact]
    public void Framed_produce_with_neither_key_nor_partition_has_neither()
    {
        var r = Accept("""{"type":"produce","id":3,"topic":"orders","message":"x"}""");
        Assert.Null(r.Partition);
        Assert.Null(r.Key);
    }

    [Fact]
    public void Framed_produce_with_a_null_key_has_no_key()
    {
        var r = Accept("""{"type":"produce","id":3,"topic":"orders","key":null,"message":"x"}""");
        Assert.Null(r.Key);
    }

    [Fact]
    public void Framed_produce_with_headers_keeps_them_in_order()
    {
        var r = Accept("""{"type":"produce","id":3,"topic":"orders","headers":{"trace":"t-1","source":"web","empty":""},"message":"x"}""");
        Assert.Equal(
            [("trace", "t-1"), ("source", "web"), ("empty", "")],
            r.Headers.Select(h => (Text(h.Key), Text(h.Value))));
    }

    [Fact]
    public void Framed_produce_with_an_empty_headers_object_has_no_headers()
    {
        var r = Accept("""{"type":"produce","id":3,"topic":"orders","headers":{},"message":"x"}""");
        Assert.Empty(r.Headers);
    }

    [Fact]
    public void Framed_fetch_with_all_limits()
    {
        var r = Accept("""{"type":"fetch","id":4,"topic":"orders","partition":0,"offset":41,"max_messages":1000,"max_bytes":1048576,"max_wait_ms":500}""");
        Assert.Equal(RequestType.Fetch, r.Type);
        Assert.Equal("4", r.Id.ToString());
        Assert.Equal(0, r.Partition);
        Assert.Equal(41, r.Offset);
        Assert.Equal(1000, r.MaxMessages);
        Assert.Equal(1048576, r.MaxBytes);
        Assert.Equal(500, r.MaxWaitMs);
    }

    [Theory]
    [InlineData(",\"format\":\"batches\"", FetchFormat.Batches)]
    [InlineData(",\"format\":\"records\"", FetchFormat.Records)]
    [InlineData("", FetchFormat.Records)]
    public void Framed_fetch_takes_the_reply_format_records_by_default(string member, FetchFormat format)
    {
        var r = Accept($$$"""{"type":"fetch","id":4,"topic":"orders","partition":0,"offset":41{{{member}}}}""");
        Assert.Equal(format, r.Format);
    }

    [Theory]
    [InlineData("\"BATCHES\"")]
    [InlineData("\"json\"")]
    [InlineData("1")]
    [InlineData("null")]
    public void Any_other_fetch_format_is_refused_in_the_users_terms(string value)
    {
        var error = Reject($$$"""{"type":"fetch","id":4,"topic":"orders","partition":0,"offset":0,"format":{{{value}}}}""", ErrorCode.InvalidRequest, "4");
        Assert.Equal("\"format\" must be \"records\" or \"batches\"", error.Message);
    }

    [Fact]
    public void A_seed_style_fetch_cannot_ask_for_batches()
    {
        var error = Reject("""{"type":"fetch","topic":"orders","format":"batches"}""", ErrorCode.InvalidRequest);
        Assert.Equal("\"format\" needs a framed request (with an \"id\"): seed replies are text lines", error.Message);
    }

    [Fact]
    public void Framed_fetch_without_limits_leaves_them_to_the_broker()
    {
        var r = Accept("""{"type":"fetch","id":4,"topic":"orders","partition":3,"offset":0}""");
        Assert.Null(r.MaxMessages);
        Assert.Null(r.MaxBytes);
        Assert.Null(r.MaxWaitMs);
    }

    [Fact]
    public void Framed_fetch_accepts_a_zero_wait_and_an_offset_beyond_32_bits()
    {
        var r = Accept("""{"type":"fetch","id":4,"topic":"orders","partition":0,"offset":9007199254740993,"max_wait_ms":0}""");
        Assert.Equal(9007199254740993L, r.Offset);
        Assert.Equal(0, r.MaxWaitMs);
    }

    [Fact]
    public void Commit_carries_group_topic_partition_and_offset()
    {
        var r = Accept("""{"type":"commit","id":5,"group":"group1","topic":"orders","partition":0,"offset":44}""");
        Assert.Equal(RequestType.Commit, r.Type);
        Assert.Equal("group1", r.Group);
        Assert.Equal("orders", r.Topic);
        Assert.Equal(0, r.Partition);
        Assert.Equal(44, r.Offset);
    }

    [Fact]
    public void Committed_carries_group_topic_and_partition()
    {
        var r = Accept("""{"type":"committed","id":6,"group":"group1","topic":"orders","partition":2}""");
        Assert.Equal(RequestType.Committed, r.Type);
        Assert.Equal("group1", r.Group);
        Assert.Equal("orders", r.Topic);
        Assert.Equal(2, r.Partition);
        Assert.Null(r.Offset);
    }

    [Fact]
    public void Create_topic_carries_the_partition_count()
    {
        var r = Accept("""{"type":"create_topic","id":7,"topic":"orders","partitions":3}""");
        Assert.Equal(RequestType.CreateTopic, r.Type);
        Assert.Equal("orders", r.Topic);
        Assert.Equal(3, r.Partitions);
        Assert.Null(r.Partition);
    }

    [Fact]
    public void Metadata_without_a_topic_asks_for_all_topics()
    {
        var r = Accept("""{"type":"metadata","id":8}""");
        Assert.Equal(RequestType.Metadata, r.Type);
        Assert.Null(r.Topic);
    }

    [Fact]
    public void Metadata_with_a_topic_asks_for_that_topic()
    {
        var r = Accept("""{"type":"metadata","id":9,"topic":"orders"}""");
        Assert.Equal("orders", r.Topic);
    }

    // ---- the id, echoed byte for byte ----

    [Theory]
    [InlineData("1")]
    [InlineData("0")]
    [InlineData("-5")]
    [InlineData("1.5e3")]
    [InlineData("1E+2")]
    [InlineData("123456789012345678901234567890")]
    [InlineData("\"abc\"")]
    [InlineData("\"\"")]
    [InlineData("\"a\\\"b\"")]
    [InlineData("\"tab\\there\\\\ \\u00e9 \\n\"")]
    [InlineData("\"9f1c-ünï\"")]
    public void The_id_is_kept_exactly_as_written(string rawId)
    {
        var result = Parse($$"""{"type":"metadata","id":{{rawId}}}""");
        Assert.Null(result.Error);
        Assert.Equal(Utf8(rawId), result.Id!.Value.RawJson);
        Assert.Equal(Utf8(rawId), result.Request!.Id!.Value.RawJson);
        Assert.True(result.IsFramed);
    }

    [Theory]
    [InlineData("7")]
    [InlineData("\"a\\\"b\"")]
    [InlineData("\"\\u00e9\"")]
    public void The_id_is_echoed_byte_for_byte_in_the_reply(string rawId)
    {
        var id = Parse($$"""{"type":"metadata","id":{{rawId}}}""").Id!.Value;
        Assert.Equal($$"""{"id":{{rawId}},"ok":true}""" + "\n", Framed(w => w.Ok(id)));
    }

    [Fact]
    public void The_id_may_be_the_last_member()
    {
        var r = Accept("""{"type":"fetch","topic":"orders","partition":0,"offset":0,"id":"late"}""");
        Assert.Equal("\"late\"", r.Id.ToString());
    }

    [Fact]
    public void Escaped_member_names_are_recognised()
    {
        var r = Accept("""{"\u0074ype":"produce","topic":"orders","message":"x"}""");
        Assert.Equal(RequestType.Produce, r.Type);
    }

    [Fact]
    public void A_repeated_member_takes_its_last_value()
    {
        var r = Accept("""{"type":"produce","topic":"a","topic":"b","message":"x"}""");
        Assert.Equal("b", r.Topic);
    }
}
