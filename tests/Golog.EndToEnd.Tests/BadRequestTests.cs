using System.Text;
using System.Text.Json;

namespace Golog.EndToEnd.Tests;

/// <summary>Every error code of docs/protocol.md through the real listener; the connection stays usable and nothing stored changes.</summary>
public sealed class BadRequestTests : IAsyncLifetime
{
    private InProcessBroker _broker = null!;

    public async Task InitializeAsync()
    {
        _broker = await InProcessBroker.StartAsync(null, "--set", "golog.request.max-message-bytes=1000", "--set", "golog.request.max-line-bytes=100000");
        await using var c = await LineClient.ConnectAsync(_broker.Port);
        Assert.Contains("\"ok\":true", await c.RequestAsync("""{"id":0,"type":"produce","topic":"t","partition":0,"messages":["x","y"]}"""));
        Assert.Contains("\"ok\":true", await c.RequestAsync("""{"id":0,"type":"create_topic","topic":"exists","partitions":1}"""));
    }

    public async Task DisposeAsync() => await _broker.DisposeAsync();

    [Theory]
    [InlineData("""{"id":1,"type":"fetch","topic":"t","partition":0,"offset":0""", "invalid_json")]
    [InlineData("""{"id":1,"type":"produce","topic":"t","partition":"zero","message":"m"}""", "invalid_request")]
    [InlineData("""{"id":1,"type":"produce","topic":"t","partition":-1,"message":"m"}""", "invalid_request")]
    [InlineData("""{"id":1,"type":"produce","topic":"t","partition":0}""", "invalid_request")]
    [InlineData("""{"id":1,"type":"fetch","topic":"t","partition":0,"offset":-5}""", "invalid_request")]
    [InlineData("""{"id":1,"type":"destroy","topic":"t"}""", "unknown_type")]
    [InlineData("""{"id":1,"type":"produce","topic":"../etc","message":"m"}""", "invalid_topic_name")]
    [InlineData("""{"id":1,"type":"produce","topic":"a/b","message":"m"}""", "invalid_topic_name")]
    [InlineData("""{"id":1,"type":"commit","group":"..","topic":"t","partition":0,"offset":1}""", "invalid_group_name")]
    [InlineData("""{"id":1,"type":"fetch","topic":"nope","partition":0,"offset":0}""", "unknown_topic_or_partition")]
    [InlineData("""{"id":1,"type":"fetch","topic":"t","partition":9,"offset":0}""", "unknown_topic_or_partition")]
    [InlineData("""{"id":1,"type":"create_topic","topic":"exists","partitions":2}""", "topic_already_exists")]
    [InlineData("""{"id":1,"type":"fetch","topic":"t","partition":0,"offset":99}""", "offset_out_of_range")]
    public async Task A_bad_framed_request_gets_its_error_code_and_the_connection_stays_usable(string line, string code)
    {
        await using var c = await LineClient.ConnectAsync(_broker.Port);
        using var reply = JsonDocument.Parse(await c.RequestAsync(line));
        Assert.Equal(1, reply.RootElement.GetProperty("id").GetInt32());
        Assert.False(reply.RootElement.GetProperty("ok").GetBoolean());
        Assert.Equal(code, reply.RootElement.GetProperty("error").GetProperty("code").GetString());
        await AssertUsableAndUnchanged(c);
    }

    [Fact]
    public async Task Offset_out_of_range_carries_both_bounds()
    {
        await using var c = await LineClient.ConnectAsync(_broker.Port);
        using var reply = JsonDocument.Parse(await c.RequestAsync("""{"id":1,"type":"fetch","topic":"t","partition":0,"offset":99}"""));
        var error = reply.RootElement.GetProperty("error");
        Assert.Equal(0, error.GetProperty("log_start_offset").GetInt64());
        Assert.Equal(2, error.GetProperty("high_watermark").GetInt64());
    }

    [Fact]
    public async Task A_message_over_the_limit_is_rejected_with_its_size_and_the_limit()
    {
        await using var c = await LineClient.ConnectAsync(_broker.Port);
        var big = new string('x', 1001);
        using var reply = JsonDocument.Parse(await c.RequestAsync($$"""{"id":1,"type":"produce","topic":"t","partition":0,"message":"{{big}}"}"""));
        var error = reply.RootElement.GetProperty("error");
        Assert.Equal("message_too_large", error.GetProperty("code").GetString());
        Assert.Contains("1001", error.GetProperty("message").GetString());
        Assert.Contains("1000", error.GetProperty("message").GetString());
        await AssertUsableAndUnchanged(c);
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("""{"type":"commit","group":"g","topic":"t","partition":0,"offset":1}""")]
    [InlineData("""{"type":"produce","topic":"t","partition":0}""")]
    public async Task A_bad_seed_style_request_gets_an_error_line(string line)
    {
        await using var c = await LineClient.ConnectAsync(_broker.Port);
        Assert.StartsWith("error: ", await c.RequestAsync(line));
        await AssertUsableAndUnchanged(c);
    }

    [Fact]
    public async Task Invalid_utf8_and_nul_bytes_get_invalid_json()
    {
        await using var c = await LineClient.ConnectAsync(_broker.Port);
        await c.SendRawAsync([.. "{\"type\":\"produce\",\"topic\":\"t\",\"message\":\""u8, 0xC3, 0x28, .. "\"}\n"u8]);
        Assert.StartsWith("error: ", await c.ReadLineAsync());
        await c.SendRawAsync([.. "{\"type\":\"produce\",\"topic\":\"t\",\"message\":\"a"u8, 0, .. "\"}\n"u8]);
        Assert.StartsWith("error: ", await c.ReadLineAsync());
        await AssertUsableAndUnchanged(c);
    }

    [Fact]
    public async Task A_line_over_the_request_limit_is_answered_then_the_connection_closes()
    {
        await using var c = await LineClient.ConnectAsync(_broker.Port);
        await c.SendRawAsync(Encoding.UTF8.GetBytes("{\"id\":1,\"type\":\"produce\",\"topic\":\"t\",\"message\":\"" + new string('x', 150_000) + "\"}\n"));
        using var reply = JsonDocument.Parse(await c.ReadLineAsync());
        Assert.Equal("request_too_large", reply.RootElement.GetProperty("error").GetProperty("code").GetString());
        await Assert.ThrowsAnyAsync<IOException>(() => c.ReadLineAsync());
        await using var other = await LineClient.ConnectAsync(_broker.Port);
        await AssertUsableAndUnchanged(other);
    }

    /// <summary>The same connection still answers, and topic t still holds exactly its two messages.</summary>
    private static async Task AssertUsableAndUnchanged(LineClient c)
    {
        using var fetch = JsonDocument.Parse(await c.RequestAsync("""{"id":"check","type":"fetch","topic":"t","partition":0,"offset":0}"""));
        Assert.True(fetch.RootElement.GetProperty("ok").GetBoolean());
        var messages = fetch.RootElement.GetProperty("records").EnumerateArray().Select(r => r.GetProperty("message").GetString()).ToList();
        Assert.Equal(["x", "y"], messages);
    }
}
