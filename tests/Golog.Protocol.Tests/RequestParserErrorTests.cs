using static Golog.Protocol.Tests.Wire;

namespace Golog.Protocol.Tests;

/// <summary>
/// Lines the parser must refuse, with the code of docs/PROTOCOL.md and in the style the line asked for: framed
/// (echoing the id) whenever an id could be read, seed style otherwise.
/// </summary>
public class RequestParserErrorTests
{
    // ---- invalid_json ----

    [Theory]
    [InlineData("hello")]
    [InlineData("{")]
    [InlineData("{\"type\":\"produce\"")]
    [InlineData("{\"type\":\"produce\",\"topic\":\"orders\",\"message\":\"order-1")]
    [InlineData("{\"type\":")]
    [InlineData("{\"type\":\"metadata\"}}")]
    [InlineData("{\"type\":\"metadata\"} x")]
    [InlineData("{\"type\":\"metadata\"}{\"type\":\"metadata\"}")]
    [InlineData("[{\"type\":\"metadata\"}]")]
    [InlineData("[]")]
    [InlineData("\"produce\"")]
    [InlineData("42")]
    [InlineData("null")]
    [InlineData("{'type':'produce'}")]
    [InlineData("{type:\"produce\"}")]
    [InlineData("{\"type\":\"metadata\",}")]
    [InlineData("{\"type\":\"metadata\" // comment\n}")]
    [InlineData("{\"type\":\"produce\",\"topic\":\"orders\",\"message\":\"a\tb\"}")]
    public void Malformed_json_is_invalid_json(string line) => Reject(line, ErrorCode.InvalidJson);

    [Fact]
    public void An_empty_line_is_invalid_json() => Reject(""u8, ErrorCode.InvalidJson);

    [Theory]
    [InlineData(" ")]
    [InlineData("\t \t")]
    [InlineData("\r")]
    public void A_whitespace_line_is_invalid_json(string line) => Reject(line, ErrorCode.InvalidJson);

    [Theory]
    [InlineData(new byte[] { 0xFF })]
    [InlineData(new byte[] { 0xC3 })] // a lead byte with no continuation
    [InlineData(new byte[] { 0xC0, 0x80 })] // overlong NUL
    [InlineData(new byte[] { 0xED, 0xA0, 0x80 })] // a UTF-16 surrogate encoded as UTF-8
    [InlineData(new byte[] { 0xF4, 0x90, 0x80, 0x80 })] // beyond U+10FFFF
    public void Invalid_utf8_inside_a_message_is_invalid_json(byte[] bad)
    {
        byte[] line = [.. "{\"type\":\"produce\",\"id\":1,\"topic\":\"orders\",\"message\":\"a"u8, .. bad, .. "\"}"u8];
        Reject(line, ErrorCode.InvalidJson);
    }

    [Fact]
    public void Invalid_utf8_outside_strings_is_invalid_json()
    {
        byte[] line = [.. "{\"type\":\"metadata\","u8, 0xFF, .. "\"id\":1}"u8];
        Reject(line, ErrorCode.InvalidJson);
    }

    [Fact]
    public void A_nul_byte_inside_a_string_is_invalid_json()
    {
        byte[] line = [.. "{\"type\":\"produce\",\"topic\":\"orders\",\"message\":\"a"u8, 0, .. "b\"}"u8];
        Reject(line, ErrorCode.InvalidJson);
    }

    [Fact]
    public void A_nul_byte_between_members_is_invalid_json()
    {
        byte[] line = [.. "{\"type\":\"produce\","u8, 0, .. "\"topic\":\"orders\",\"message\":\"x\"}"u8];
        Reject(line, ErrorCode.InvalidJson);
    }

    [Fact]
    public void A_nul_byte_after_the_object_is_invalid_json()
    {
        byte[] line = [.. "{\"type\":\"metadata\",\"id\":1}"u8, 0];
        Reject(line, ErrorCode.InvalidJson, "1");
    }

    [Theory]
    [InlineData("""{"type":"produce","id":1,"topic":"orders","message":"\ud800"}""")]
    [InlineData("""{"type":"produce","id":1,"topic":"orders","message":"x\udc00"}""")]
    [InlineData("""{"type":"produce","id":1,"topic":"\ud83d","message":"x"}""")]
    [InlineData("""{"type":"produce","id":1,"topic":"orders","messages":["ok","\ud800"]}""")]
    [InlineData("""{"type":"produce","id":1,"topic":"orders","message":"x","headers":{"\ud800":"v"}}""")]
    [InlineData("""{"type":"produce","id":1,"topic":"orders","message":"x","headers":{"k":"\ud800"}}""")]
    [InlineData("""{"id":1,"\ud800":0,"type":"metadata"}""")]
    public void A_lone_surrogate_escape_is_invalid_json_not_an_exception(string line)
    {
        // Regression: Utf8JsonReader throws InvalidOperationException (not JsonException) when it unescapes these.
        Reject(line, ErrorCode.InvalidJson, "1");
    }

    [Fact]
    public void A_paired_surrogate_escape_is_fine()
    {
        var r = Accept("""{"type":"produce","topic":"orders","message":"\ud83d\ude00"}""");
        Assert.Equal("😀", Text(r.Messages[0]));
    }

    [Fact]
    public void Nesting_up_to_the_depth_limit_is_accepted()
    {
        // The request object is depth 1; 15 arrays inside it reach depth 16, the limit.
        Accept("{\"type\":\"metadata\",\"id\":1,\"x\":" + new string('[', 15) + new string(']', 15) + "}");
    }

    [Fact]
    public void Nesting_deeper_than_the_limit_is_invalid_json()
    {
        Reject("{\"id\":1,\"type\":\"metadata\",\"x\":" + new string('[', 16) + new string(']', 16) + "}", ErrorCode.InvalidJson, "1");
    }

    [Fact]
    public void Very_deep_nesting_is_invalid_json_without_an_id()
    {
        Reject(new string('[', 10_000) + new string(']', 10_000), ErrorCode.InvalidJson);
        Reject("{\"x\":" + string.Concat(Enumerable.Repeat("{\"a\":", 5_000)) + "1" + new string('}', 5_001), ErrorCode.InvalidJson);
    }

    [Fact]
    public void Deep_nesting_inside_a_known_member_is_invalid_json()
    {
        Reject("{\"id\":1,\"type\":\"produce\",\"topic\":\"o\",\"messages\":" + new string('[', 100) + new string(']', 100) + "}",
            ErrorCode.InvalidJson, "1");
    }

    // ---- invalid_request: missing or ill-typed members ----

    [Theory]
    [InlineData("""{"topic":"orders","message":"x"}""")]
    [InlineData("""{}""")]
    [InlineData("""{"type":5,"topic":"orders","message":"x"}""")]
    [InlineData("""{"type":null,"topic":"orders","message":"x"}""")]
    [InlineData("""{"type":["produce"],"topic":"orders","message":"x"}""")]
    public void A_missing_or_non_string_type_is_invalid_request(string line) => Reject(line, ErrorCode.InvalidRequest);

    [Theory]
    [InlineData("""{"type":"produce","id":1,"message":"x"}""")] // no topic
    [InlineData("""{"type":"produce","id":1,"topic":5,"message":"x"}""")]
    [InlineData("""{"type":"produce","id":1,"topic":null,"message":"x"}""")]
    [InlineData("""{"type":"produce","id":1,"topic":"orders"}""")] // no message
    [InlineData("""{"type":"produce","id":1,"topic":"orders","message":5}""")]
    [InlineData("""{"type":"produce","id":1,"topic":"orders","message":null}""")]
    [InlineData("""{"type":"produce","id":1,"topic":"orders","message":{"a":"b"}}""")]
    [InlineData("""{"type":"produce","id":1,"topic":"orders","messages":"a"}""")]
    [InlineData("""{"type":"produce","id":1,"topic":"orders","messages":["a",2]}""")]
    [InlineData("""{"type":"produce","id":1,"topic":"orders","messages":["a",null]}""")]
    [InlineData("""{"type":"produce","id":1,"topic":"orders","messages":[["a"]]}""")]
    [InlineData("""{"type":"produce","id":1,"topic":"orders","message":"x","key":5}""")]
    [InlineData("""{"type":"produce","id":1,"topic":"orders","message":"x","headers":["a"]}""")]
    [InlineData("""{"type":"produce","id":1,"topic":"orders","message":"x","headers":{"a":1}}""")]
    [InlineData("""{"type":"produce","id":1,"topic":"orders","message":"x","headers":{"a":null}}""")]
    [InlineData("""{"type":"produce","id":1,"topic":"orders","message":"x","headers":{"a":{"b":"c"}}}""")]
    [InlineData("""{"type":"produce","id":1,"topic":"orders","message":"x","partition":"0"}""")]
    [InlineData("""{"type":"produce","id":1,"topic":"orders","message":"x","partition":1.5}""")]
    [InlineData("""{"type":"produce","id":1,"topic":"orders","message":"x","partition":2147483648}""")]
    [InlineData("""{"type":"produce","id":1,"topic":"orders","message":"x","partition":null}""")]
    public void A_produce_with_a_missing_or_ill_typed_member_is_invalid_request(string line) =>
        Reject(line, ErrorCode.InvalidRequest, "1");

    [Theory]
    [InlineData("""{"type":"fetch","id":1,"partition":0,"offset":0}""")] // no topic
    [InlineData("""{"type":"fetch","id":1,"topic":"orders","offset":0}""")] // framed: partition required
    [InlineData("""{"type":"fetch","id":1,"topic":"orders","partition":0}""")] // framed: offset required
    [InlineData("""{"type":"fetch","id":1,"topic":"orders","partition":0,"offset":"0"}""")]
    [InlineData("""{"type":"fetch","id":1,"topic":"orders","partition":0,"offset":1.0}""")]
    [InlineData("""{"type":"fetch","id":1,"topic":"orders","partition":0,"offset":9223372036854775808}""")]
    [InlineData("""{"type":"fetch","id":1,"topic":"orders","partition":0,"offset":0,"max_messages":"10"}""")]
    [InlineData("""{"type":"fetch","id":1,"topic":"orders","partition":0,"offset":0,"max_bytes":true}""")]
    [InlineData("""{"type":"fetch","id":1,"topic":"orders","partition":0,"offset":0,"max_wait_ms":[]}""")]
    public void A_fetch_with_a_missing_or_ill_typed_member_is_invalid_request(string line) =>
        Reject(line, ErrorCode.InvalidRequest, "1");

    [Theory]
    [InlineData("""{"type":"commit","id":1,"topic":"orders","partition":0,"offset":4}""")]
    [InlineData("""{"type":"commit","id":1,"group":"g","partition":0,"offset":4}""")]
    [InlineData("""{"type":"commit","id":1,"group":"g","topic":"orders","offset":4}""")]
    [InlineData("""{"type":"commit","id":1,"group":"g","topic":"orders","partition":0}""")]
    [InlineData("""{"type":"commit","id":1,"group":7,"topic":"orders","partition":0,"offset":4}""")]
    [InlineData("""{"type":"committed","id":1,"topic":"orders","partition":0}""")]
    [InlineData("""{"type":"committed","id":1,"group":"g","partition":0}""")]
    [InlineData("""{"type":"committed","id":1,"group":"g","topic":"orders"}""")]
    [InlineData("""{"type":"create_topic","id":1,"partitions":3}""")]
    [InlineData("""{"type":"create_topic","id":1,"topic":"orders"}""")]
    [InlineData("""{"type":"create_topic","id":1,"topic":"orders","partitions":"3"}""")]
    [InlineData("""{"type":"metadata","id":1,"topic":1}""")]
    public void Other_types_with_a_missing_or_ill_typed_member_are_invalid_request(string line) =>
        Reject(line, ErrorCode.InvalidRequest, "1");

    [Theory]
    [InlineData("""{"type":"produce","topic":"orders","partition":-1,"message":"x"}""", null)]
    [InlineData("""{"type":"fetch","topic":"orders","partition":-1,"offset":0}""", null)]
    [InlineData("""{"type":"fetch","topic":"orders","partition":0,"offset":-1}""", null)]
    [InlineData("""{"type":"fetch","id":1,"topic":"orders","partition":0,"offset":-1}""", "1")]
    [InlineData("""{"type":"fetch","id":1,"topic":"orders","partition":-2147483648,"offset":0}""", "1")]
    [InlineData("""{"type":"commit","id":1,"group":"g","topic":"orders","partition":0,"offset":-1}""", "1")]
    [InlineData("""{"type":"committed","id":1,"group":"g","topic":"orders","partition":-1}""", "1")]
    public void A_negative_partition_or_offset_is_invalid_request(string line, string? id) =>
        Reject(line, ErrorCode.InvalidRequest, id);

    [Theory]
    [InlineData("""{"type":"create_topic","id":1,"topic":"orders","partitions":0}""")]
    [InlineData("""{"type":"create_topic","id":1,"topic":"orders","partitions":-3}""")]
    [InlineData("""{"type":"fetch","id":1,"topic":"orders","partition":0,"offset":0,"max_messages":0}""")]
    [InlineData("""{"type":"fetch","id":1,"topic":"orders","partition":0,"offset":0,"max_bytes":0}""")]
    [InlineData("""{"type":"fetch","id":1,"topic":"orders","partition":0,"offset":0,"max_wait_ms":-1}""")]
    public void Counts_and_limits_out_of_range_are_invalid_request(string line) => Reject(line, ErrorCode.InvalidRequest, "1");

    [Fact]
    public void Message_and_messages_together_are_invalid_request()
    {
        var e = Reject("""{"type":"produce","id":1,"topic":"orders","message":"x","messages":["y"]}""", ErrorCode.InvalidRequest, "1");
        Assert.Contains("not both", e.Message);
    }

    [Fact]
    public void An_empty_messages_array_is_invalid_request()
    {
        var e = Reject("""{"type":"produce","id":1,"topic":"orders","messages":[]}""", ErrorCode.InvalidRequest, "1");
        Assert.Contains("empty", e.Message);
    }

    [Theory]
    [InlineData("""{"type":"commit","group":"g","topic":"orders","partition":0,"offset":4}""")]
    [InlineData("""{"type":"committed","group":"g","topic":"orders","partition":0}""")]
    [InlineData("""{"type":"create_topic","topic":"orders","partitions":3}""")]
    [InlineData("""{"type":"metadata"}""")]
    [InlineData("""{"type":"metadata","topic":"orders"}""")]
    public void Framed_only_types_without_an_id_are_seed_style_invalid_request(string line)
    {
        var e = Reject(line, ErrorCode.InvalidRequest);
        Assert.Contains("\"id\"", e.Message);
    }

    [Theory]
    [InlineData("""{"type":"produce","topic":"orders","messages":["a","b"]}""")]
    [InlineData("""{"type":"produce","topic":"orders","key":"k","message":"x"}""")]
    [InlineData("""{"type":"produce","topic":"orders","headers":{"a":"b"},"message":"x"}""")]
    public void Framed_only_produce_features_without_an_id_are_seed_style_invalid_request(string line) =>
        Reject(line, ErrorCode.InvalidRequest);

    [Theory]
    [InlineData("""{"type":"metadata","id":null}""")]
    [InlineData("""{"type":"metadata","id":true}""")]
    [InlineData("""{"type":"metadata","id":{"n":1}}""")]
    [InlineData("""{"type":"metadata","id":[1]}""")]
    public void An_id_that_is_neither_string_nor_number_is_seed_style_invalid_request(string line) =>
        Reject(line, ErrorCode.InvalidRequest);

    [Fact]
    public void An_id_longer_than_256_bytes_is_refused_rather_than_echoed()
    {
        Accept($$"""{"type":"metadata","id":"{{new string('a', 256)}}"}""");
        Reject($$"""{"type":"metadata","id":"{{new string('a', 257)}}"}""", ErrorCode.InvalidRequest);
        Reject($$"""{"type":"metadata","id":{{new string('9', 257)}}}""", ErrorCode.InvalidRequest);
    }

    // ---- unknown_type ----

    [Theory]
    [InlineData("""{"type":"frobnicate","id":1}""", "1")]
    [InlineData("""{"type":"Produce","id":"x","topic":"orders","message":"x"}""", "\"x\"")]
    [InlineData("""{"type":"","id":1}""", "1")]
    [InlineData("""{"type":"frobnicate"}""", null)]
    [InlineData("""{"type":"sync_group","topic":"orders"}""", null)]
    public void An_unknown_type_is_unknown_type(string line, string? id) => Reject(line, ErrorCode.UnknownType, id);

    [Fact]
    public void A_huge_unknown_type_is_truncated_in_the_error_message()
    {
        var e = Reject($$"""{"type":"{{new string('z', 10_000)}}","id":1}""", ErrorCode.UnknownType, "1");
        Assert.True(e.Message.Length < 200, e.Message);
    }

    // ---- an error found before the end still reports an id written later ----

    [Fact]
    public void An_ill_typed_member_before_the_id_gives_a_framed_error()
    {
        Reject("""{"type":"fetch","partition":"x","id":7}""", ErrorCode.InvalidRequest, "7");
    }

    [Fact]
    public void An_ill_typed_member_before_a_string_id_gives_a_framed_error()
    {
        Reject("""{"type":"produce","topic":["orders"],"message":"x","id":"a\"b"}""", ErrorCode.InvalidRequest, "\"a\\\"b\"");
    }

    [Fact]
    public void An_unknown_type_before_the_id_gives_a_framed_error()
    {
        Reject("""{"type":"nope","topic":"orders","id":7}""", ErrorCode.UnknownType, "7");
    }

    [Fact]
    public void The_first_problem_is_the_one_reported()
    {
        var e = Reject("""{"type":"fetch","partition":"x","offset":"y","id":7}""", ErrorCode.InvalidRequest, "7");
        Assert.Contains("partition", e.Message);
    }

    [Theory]
    [InlineData("""{"id":7,"type":"fetch","topic":""")]
    [InlineData("""{"id":7,"type":"fetch","topic":"orders",""")]
    [InlineData("""{"id":7,"type":"fetch",,}""")]
    [InlineData("""{"id":7,"type":"fetch","topic":"orders"} trailing""")]
    [InlineData("""{"id":7,"type":"fetch","topic":"orders"}}""")]
    [InlineData("""{"type":"fetch","id":7,"topic":nope}""")]
    public void Malformed_json_after_the_id_gives_a_framed_invalid_json(string line) => Reject(line, ErrorCode.InvalidJson, "7");

    [Fact]
    public void Malformed_json_after_a_string_id_gives_a_framed_invalid_json()
    {
        Reject("""{"id":"req-1","type":"produce","message":"x""", ErrorCode.InvalidJson, "\"req-1\"");
    }

    [Fact]
    public void Malformed_json_before_the_id_gives_a_seed_style_invalid_json()
    {
        // Reading stops at the first syntax error: an id written later is never reached.
        Reject("""{"type":"fetch",,"id":7}""", ErrorCode.InvalidJson);
    }

    [Fact]
    public void Error_messages_are_one_line_so_the_seed_error_reply_stays_one_line()
    {
        var e = Reject("{\"id\":7,\n\"type\":", ErrorCode.InvalidJson, "7");
        Assert.DoesNotContain('\n', e.Message);
        Assert.DoesNotContain("Path:", e.Message);
    }

    // ---- messages in the writer's terms ----

    [Theory]
    [InlineData("""{"type":"produce","topic":"orders","partition":0,"message":"hello",}""", "malformed JSON: trailing comma after \"message\" at column 67")]
    [InlineData("""{"type":"produce","topic":"orders","message":"a""", "malformed JSON: the line ends before the request is complete (a string, object or array is not closed)")]
    [InlineData("""{'type':'produce'}""", "malformed JSON: single quotes at column 2: JSON strings and names need double quotes (\")")]
    [InlineData("""{type:"produce"}""", "malformed JSON: a member name without double quotes at column 2")]
    [InlineData("""{"type":"metadata" // comment}""", "malformed JSON: a comment at column 20: JSON has no comments")]
    [InlineData("{\"type\":\"produce\",\"topic\":\"orders\",\"message\":\"a\tb\"}", "malformed JSON: control character U+0009 at column 48: inside a string write it escaped (\\n, \\t, \\u0009)")]
    [InlineData("""{"type":"produce" "topic":"orders"}""", "malformed JSON: missing comma or colon before column 19 after \"type\"")]
    [InlineData("""{"type":"fetch","topic":orders}""", "malformed JSON: unexpected word at column 25 after \"topic\": strings need double quotes; the literals are true, false and null")]
    [InlineData("""{"type":"metadata","id":1,"topic":"\ud800"}""", "malformed JSON: a \\u escape in the string at column 35 is half of a surrogate pair, which is no character")]
    public void Malformed_json_is_explained_by_what_is_wrong_and_its_column(string line, string message) =>
        Assert.Equal(message, Reject(line, ErrorCode.InvalidJson, line.Contains("\"id\"") ? "1" : null).Message);

    [Theory]
    [InlineData("\"0\"")]
    [InlineData("-1")]
    [InlineData("0.5")]
    [InlineData("3000000000")]
    [InlineData("null")]
    public void Every_wrong_partition_gets_the_same_message(string partition) =>
        Assert.Equal("\"partition\" must be a non-negative integer",
            Reject($$"""{"id":1,"type":"fetch","topic":"t","partition":{{partition}},"offset":0}""", ErrorCode.InvalidRequest, "1").Message);
}
