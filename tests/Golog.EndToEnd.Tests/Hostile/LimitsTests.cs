using System.Text.Json;

namespace Golog.EndToEnd.Tests.Hostile;

/// <summary>The HOCON limits of README "Limits and hostile input", each hit through a real listener.</summary>
public sealed class LimitsTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Topics_past_golog_topics_max_are_refused_whether_created_or_auto_created()
    {
        using var storage = new TempStorage();
        await using (var broker = await InProcessBroker.StartAsync(storage.Path, "--set", "golog.topics.max=3"))
        {
            await using var c = await LineClient.ConnectAsync(broker.Port);
            Assert.Contains("\"ok\":true", await c.RequestAsync("""{"id":1,"type":"create_topic","topic":"a","partitions":1}"""));
            Assert.Contains("\"ok\":true", await c.RequestAsync("""{"id":2,"type":"produce","topic":"b","message":"m"}"""));
            Assert.Contains("\"ok\":true", await c.RequestAsync("""{"id":3,"type":"create_topic","topic":"c","partitions":2}"""));

            Assert.Equal("too_many_topics", ErrorCode(await c.RequestAsync("""{"id":4,"type":"create_topic","topic":"d","partitions":1}""")));
            Assert.Equal("too_many_topics", ErrorCode(await c.RequestAsync("""{"id":5,"type":"produce","topic":"e","message":"m"}""")));
            Assert.StartsWith("error: ", await c.RequestAsync("""{"type":"produce","topic":"f","partition":0,"message":"m"}"""));
            Assert.Contains("\"ok\":true", await c.RequestAsync("""{"id":6,"type":"produce","topic":"c","partition":1,"message":"m"}"""));
            Assert.False(Directory.Exists(Path.Combine(storage.Path, "d-0")));
            Assert.False(Directory.Exists(Path.Combine(storage.Path, "e-0")));
        }
        // a lower limit at the next start never hides topics already on disk; it only stops new ones
        await using (var broker = await InProcessBroker.StartAsync(storage.Path, "--set", "golog.topics.max=1"))
        {
            await using var c = await LineClient.ConnectAsync(broker.Port);
            using var metadata = JsonDocument.Parse(await c.RequestAsync("""{"id":1,"type":"metadata"}"""));
            Assert.Equal(3, metadata.RootElement.GetProperty("topics").GetArrayLength());
            Assert.Equal("too_many_topics", ErrorCode(await c.RequestAsync("""{"id":2,"type":"create_topic","topic":"g","partitions":1}""")));
        }
    }

    [Fact]
    public async Task A_connection_past_golog_connections_max_gets_one_error_line_and_is_closed_and_logged()
    {
        using var storage = new TempStorage();
        await using var broker = await BrokerProcess.StartAsync(storage.Path, "--set", "golog.connections.max=2");
        await using var first = await LineClient.ConnectAsync(broker.Port);
        await using var second = await LineClient.ConnectAsync(broker.Port);
        Assert.Contains("\"ok\":true", await first.RequestAsync("""{"id":1,"type":"metadata"}"""));
        Assert.Contains("\"ok\":true", await second.RequestAsync("""{"id":1,"type":"metadata"}"""));

        await using (var refused = await LineClient.ConnectAsync(broker.Port))
        {
            using var reply = JsonDocument.Parse(await refused.ReadLineAsync());
            Assert.Equal(JsonValueKind.Null, reply.RootElement.GetProperty("id").ValueKind);
            Assert.False(reply.RootElement.GetProperty("ok").GetBoolean());
            Assert.Equal("too_many_connections", reply.RootElement.GetProperty("error").GetProperty("code").GetString());
            await Assert.ThrowsAnyAsync<IOException>(() => refused.ReadLineAsync());
        }
        Assert.True(await EventuallyAsync(() => Task.FromResult(broker.Log.Contains("Refused client"))), "no warning logged:\n" + broker.Log);
        Assert.Contains("\"ok\":true", await first.RequestAsync("""{"id":2,"type":"metadata"}"""));

        await second.DisposeAsync(); // frees a slot, once the broker has seen the close
        Assert.True(await EventuallyAsync(async () =>
        {
            await using var again = await LineClient.ConnectAsync(broker.Port);
            return (await again.RequestAsync("""{"id":1,"type":"metadata"}""")).Contains("\"ok\":true");
        }), "a slot freed by a closed connection is never reused");
    }

    [Fact]
    public async Task An_idle_connection_and_a_half_line_that_stalls_are_closed_but_a_long_poll_is_not_idle()
    {
        await using var broker = await InProcessBroker.StartAsync(null, "--set", "golog.connections.idle-timeout=2s");
        await using var silent = await LineClient.ConnectAsync(broker.Port);
        await using var stalled = await LineClient.ConnectAsync(broker.Port);
        await using var polling = await LineClient.ConnectAsync(broker.Port);
        Assert.Contains("\"ok\":true", await polling.RequestAsync("""{"id":1,"type":"create_topic","topic":"t","partitions":1}"""));

        await stalled.SendRawAsync("{\"id\":1,\"type\":\"meta"u8.ToArray());
        await polling.SendAsync("""{"id":2,"type":"fetch","topic":"t","partition":0,"offset":0,"max_wait_ms":6000}""");

        await Assert.ThrowsAnyAsync<IOException>(() => silent.ReadLineAsync(Bound));
        await Assert.ThrowsAnyAsync<IOException>(() => stalled.ReadLineAsync(Bound));
        using var fetch = JsonDocument.Parse(await polling.ReadLineAsync(Bound)); // 6 s of waiting, three idle timeouts
        Assert.True(fetch.RootElement.GetProperty("ok").GetBoolean());
        Assert.Equal(0, fetch.RootElement.GetProperty("records").GetArrayLength());
    }

    [Fact]
    public async Task A_client_trickling_a_request_line_byte_by_byte_is_closed_after_the_partial_line_timeout()
    {
        await using var broker = await InProcessBroker.StartAsync(null, "--set", "golog.connections.partial-line-timeout=1s");
        await using var trickler = await LineClient.ConnectAsync(broker.Port);
        var closed = trickler.ReadLineAsync(Bound);
        var line = """{"id":1,"type":"metadata","padding":"""u8.ToArray();
        // never idle (a byte every 100 ms), never a whole line: bounded at 300 bytes, about 30 s
        for (int i = 0; i < 300 && !closed.IsCompleted; i++)
        {
            try { await trickler.SendRawAsync([i < line.Length ? line[i] : (byte)'x']); }
            catch (IOException) { break; }
            await Task.Delay(100);
        }
        await Assert.ThrowsAnyAsync<IOException>(() => closed);

        await using var other = await LineClient.ConnectAsync(broker.Port);
        Assert.Contains("\"ok\":true", await other.RequestAsync("""{"id":1,"type":"metadata"}"""));
    }

    [Fact]
    public async Task A_client_that_never_reads_its_replies_is_closed_after_the_write_timeout_and_others_are_served()
    {
        using var storage = new TempStorage();
        await using var broker = await BrokerProcess.StartAsync(storage.Path, "--set", "golog.connections.write-timeout=1s");
        await using var observer = await LineClient.ConnectAsync(broker.Port);
        var big = new string('x', 100_000);
        for (int i = 0; i < 10; i++)
            Assert.Contains("\"ok\":true", await observer.RequestAsync($$"""{"id":{{i}},"type":"produce","topic":"big","partition":0,"message":"{{big}}"}"""));

        const int fetches = 200; // about 200 MB of replies, against a 4 KiB receive buffer that is never read
        await using var stuck = await LineClient.ConnectAsync(broker.Port, receiveBufferBytes: 4096);
        var request = System.Text.Encoding.UTF8.GetBytes("""{"id":1,"type":"fetch","topic":"big","partition":0,"offset":0,"max_bytes":1048576}""" + "\n");
        await stuck.SendRawAsync([.. Enumerable.Repeat(request, fetches).SelectMany(r => r)]);

        Assert.True(await EventuallyAsync(() => Task.FromResult(broker.Log.Contains("has not taken its replies"))), "no write-timeout close logged:\n" + broker.Log);
        Assert.Contains("\"ok\":true", await observer.RequestAsync("""{"id":"o","type":"metadata","topic":"big"}"""));
        int received = 0;
        try { while (received <= fetches) { await stuck.ReadLineAsync(Bound); received++; } }
        catch (IOException) { } // reset or end of stream: closed by the broker
        Assert.InRange(received, 0, fetches - 1);
    }

    private static string? ErrorCode(string reply)
    {
        using var doc = JsonDocument.Parse(reply);
        return doc.RootElement.GetProperty("error").GetProperty("code").GetString();
    }

    /// <summary>Polls a condition for up to 30 s (bounded in count and time; no timing is asserted).</summary>
    private static async Task<bool> EventuallyAsync(Func<Task<bool>> condition)
    {
        for (int attempt = 0; attempt < 300; attempt++)
        {
            try { if (await condition()) return true; }
            catch (Exception e) when (e is IOException or TimeoutException or JsonException) { }
            await Task.Delay(100);
        }
        return false;
    }
}
