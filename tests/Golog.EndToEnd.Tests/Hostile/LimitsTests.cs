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
        Assert.True(await broker.LogShowsAsync("Refused client", TimeSpan.FromSeconds(30)), "no warning logged:\n" + broker.Log);
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

        Assert.True(await broker.LogShowsAsync("has not taken its replies", TimeSpan.FromSeconds(30)), "no write-timeout close logged:\n" + broker.Log);
        Assert.Contains("\"ok\":true", await observer.RequestAsync("""{"id":"o","type":"metadata","topic":"big"}"""));
        // each reply is about 1 MB and the stuck client's buffer 4 KiB: not one reply had arrived whole when the broker
        // reset the connection, so the very first read ends the stream (a reset or end of stream, never a timeout)
        await Assert.ThrowsAnyAsync<IOException>(() => stuck.ReadLineAsync(Bound));
    }

    [Fact]
    public async Task A_message_of_exactly_max_message_bytes_is_stored_and_one_byte_more_is_refused()
    {
        await using var broker = await InProcessBroker.StartAsync(null, "--set", "golog.request.max-message-bytes=1000");
        await using var c = await LineClient.ConnectAsync(broker.Port);
        string twoByteChars = new('é', 500); // the limit counts UTF-8 bytes, not characters: exactly 1000 bytes
        Assert.Equal(0, BaseOffset(await c.RequestAsync(Produce(1, "m", [twoByteChars]))));
        Assert.Equal(1, BaseOffset(await c.RequestAsync(Produce(2, "m", [new string('x', 1000)]))));
        Assert.Equal("message_too_large", ErrorCode(await c.RequestAsync(Produce(3, "m", [twoByteChars + "x"]))));
        Assert.Equal("message_too_large", ErrorCode(await c.RequestAsync(Produce(4, "m", [new string('x', 1001)]))));
        Assert.Equal("message_too_large", ErrorCode(await c.RequestAsync(Produce(5, "m", ["small", new string('x', 1001)]))));
        // the refusals stored nothing, and the connection is still usable
        Assert.Equal([twoByteChars, new string('x', 1000)], Messages(await c.RequestAsync(Fetch(6, "m", 0))));
    }

    [Fact]
    public async Task A_line_of_exactly_max_line_bytes_is_served_and_one_byte_more_is_refused_and_closed()
    {
        await using var broker = await InProcessBroker.StartAsync(null, "--set", "golog.request.max-line-bytes=2000");
        await using var c = await LineClient.ConnectAsync(broker.Port);
        await c.SendAsync(MetadataLine(2000));
        Assert.Contains("\"ok\":true", await c.ReadLineAsync());
        await c.SendRawAsync(System.Text.Encoding.UTF8.GetBytes(MetadataLine(2000) + "\r\n")); // the line ending does not count
        Assert.Contains("\"ok\":true", await c.ReadLineAsync());
        await c.SendAsync(MetadataLine(2001));
        Assert.Equal("request_too_large", ErrorCode(await c.ReadLineAsync()));
        await Assert.ThrowsAnyAsync<IOException>(() => c.ReadLineAsync(Bound));
    }

    [Fact]
    public async Task A_batch_of_exactly_max_batch_messages_is_stored_and_one_more_is_refused_on_a_connection_that_stays_open()
    {
        await using var broker = await InProcessBroker.StartAsync(null, "--set", "golog.request.max-batch-messages=5");
        await using var c = await LineClient.ConnectAsync(broker.Port);
        using (var five = JsonDocument.Parse(await c.RequestAsync(Produce(1, "b", ["1", "2", "3", "4", "5"]))))
        {
            Assert.Equal(0, five.RootElement.GetProperty("base_offset").GetInt64());
            Assert.Equal(4, five.RootElement.GetProperty("last_offset").GetInt64());
        }
        Assert.Equal("request_too_large", ErrorCode(await c.RequestAsync(Produce(2, "b", ["a", "b", "c", "d", "e", "f"]))));
        // same socket: the next request is served, and nothing of the refused batch was stored
        Assert.Equal(5, BaseOffset(await c.RequestAsync(Produce(3, "b", ["6"]))));
        Assert.Equal(["1", "2", "3", "4", "5", "6"], Messages(await c.RequestAsync(Fetch(4, "b", 0))));
    }

    [Fact]
    public async Task A_long_poll_asking_for_longer_than_fetch_max_wait_is_answered_at_the_cap()
    {
        await using var broker = await InProcessBroker.StartAsync(null, "--set", "golog.fetch.max-wait=500ms");
        await using var c = await LineClient.ConnectAsync(broker.Port);
        Assert.Contains("\"ok\":true", await c.RequestAsync("""{"id":1,"type":"create_topic","topic":"w","partitions":1}"""));
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await c.SendAsync(Fetch(2, "w", 0, maxWaitMs: 600_000)); // ten minutes asked, half a second allowed
        string reply = await c.ReadLineAsync(TimeSpan.FromSeconds(5)); // 10x the cap
        var waited = clock.Elapsed;
        Assert.Empty(Messages(reply));
        Assert.True(waited >= TimeSpan.FromMilliseconds(250), $"answered after {waited.TotalMilliseconds} ms: the long poll did not wait");
    }

    [Fact]
    public async Task A_fetch_asking_for_more_than_fetch_max_bytes_gets_only_what_the_cap_allows()
    {
        await using var broker = await InProcessBroker.StartAsync(null, "--set", "golog.fetch.max-bytes=4000");
        await using var c = await LineClient.ConnectAsync(broker.Port);
        var stored = Enumerable.Range(0, 20).Select(i => $"{i:D3}" + new string('x', 497)).ToList(); // 20 batches of 500 bytes
        for (int i = 0; i < stored.Count; i++) Assert.Equal(i, BaseOffset(await c.RequestAsync(Produce(i, "cap", [stored[i]]))));

        var atCap = Messages(await c.RequestAsync(Fetch(100, "cap", 0, maxBytes: 4000)));
        var huge = Messages(await c.RequestAsync(Fetch(101, "cap", 0, maxBytes: int.MaxValue)));
        var unset = Messages(await c.RequestAsync(Fetch(102, "cap", 0))); // fetch.default-max-bytes (1 MiB) is capped too
        Assert.InRange(atCap.Count, 1, 8); // whole 500-byte batches within 4000 bytes
        Assert.Equal(stored.Take(atCap.Count), atCap);
        Assert.Equal(atCap, huge);
        Assert.Equal(atCap, unset);
        // the consumer gets the rest by asking again from where it stopped
        Assert.Equal(stored.Skip(atCap.Count).Take(atCap.Count), Messages(await c.RequestAsync(Fetch(103, "cap", atCap.Count, maxBytes: int.MaxValue))));
    }

    [Theory]
    [InlineData(3, false)] // three parked long polls: a fourth request is still taken
    [InlineData(4, true)]  // four: request.max-in-flight is reached and the next request waits
    public async Task Requests_past_request_max_in_flight_wait_until_one_is_answered_and_none_is_lost(int parked, bool held)
    {
        await using var broker = await InProcessBroker.StartAsync(null, "--set", "golog.request.max-in-flight=4");
        await AssertHeldPastBudgetAsync(broker, Enumerable.Repeat(1000, parked).ToArray(), held);
    }

    [Theory]
    [InlineData(4999, false)] // 9999 bytes owed: under the budget, the next request is taken
    [InlineData(5000, true)]  // 10000 bytes owed: the budget is spent and the next request waits
    public async Task Requests_past_connections_max_pending_reply_bytes_wait_until_it_frees_and_none_is_lost(int secondMaxBytes, bool held)
    {
        await using var broker = await InProcessBroker.StartAsync(null, "--set", "golog.connections.max-pending-reply-bytes=10000");
        await AssertHeldPastBudgetAsync(broker, [5000, secondMaxBytes], held);
    }

    /// <summary>
    /// Pipelines long polls (fetches parked at the end of an empty partition, each owing its max_bytes) and then a
    /// produce to that partition on the same connection. Taken, the produce answers the polls at once; held (the
    /// connection's budget spent), nothing is answered until another client's record wakes the polls, and then every
    /// reply comes, in request order.
    /// </summary>
    private static async Task AssertHeldPastBudgetAsync(InProcessBroker broker, int[] pollMaxBytes, bool held)
    {
        await using var other = await LineClient.ConnectAsync(broker.Port);
        Assert.Contains("\"ok\":true", await other.RequestAsync("""{"id":1,"type":"create_topic","topic":"p","partitions":1}"""));
        await using var c = await LineClient.ConnectAsync(broker.Port);
        var pipeline = pollMaxBytes.Select((maxBytes, i) => Fetch(i, "p", 0, maxBytes: maxBytes, maxWaitMs: 20_000))
            .Append(Produce(pollMaxBytes.Length, "p", ["own"]));
        await c.SendRawAsync(System.Text.Encoding.UTF8.GetBytes(string.Concat(pipeline.Select(l => l + "\n"))));

        var first = c.ReadLineAsync(TimeSpan.FromSeconds(15));
        await Task.WhenAny(first, Task.Delay(TimeSpan.FromSeconds(1)));
        Assert.Equal(held, !first.IsCompleted);
        if (held) Assert.Equal(0, BaseOffset(await other.RequestAsync(Produce(99, "p", ["other"]))));

        string wakes = held ? "other" : "own";
        var replies = new List<string> { await first };
        for (int i = 1; i <= pollMaxBytes.Length; i++) replies.Add(await c.ReadLineAsync(TimeSpan.FromSeconds(15)));
        for (int i = 0; i < pollMaxBytes.Length; i++)
        {
            Assert.Equal(i, ReplyId(replies[i]));
            Assert.Equal([wakes], Messages(replies[i]));
        }
        Assert.Equal(pollMaxBytes.Length, ReplyId(replies[^1]));
        Assert.Equal(held ? 1 : 0, BaseOffset(replies[^1]));
    }

    [Fact]
    public async Task A_pipelining_client_that_does_not_read_stops_being_read_and_once_it_reads_gets_every_reply_in_order()
    {
        await using var broker = await InProcessBroker.StartAsync(null, "--set", "golog.connections.max-pending-reply-bytes=16KiB",
            "--set", "golog.connections.write-timeout=120s");
        await using var observer = await LineClient.ConnectAsync(broker.Port);
        Assert.Contains("\"ok\":true", await observer.RequestAsync("""{"id":1,"type":"create_topic","topic":"pipe","partitions":1}"""));
        Assert.Equal(0, BaseOffset(await observer.RequestAsync(Produce(2, "big", [new string('b', 3000)]))));

        // Pairs of (fetch of a 3 KB record, produce of a small one). The kernel takes replies up to the socket's send
        // buffer (tcp_wmem, autotuned) whether the client reads or not; twice as many pairs as fit in it, and then
        // only the 16 KiB budget stands between an unread client and the broker's memory.
        int pairs = (int)Math.Min(20_000, 2 * SocketSendBufferMaxBytes() / 3000 + 500);
        await using var flooder = await LineClient.ConnectAsync(broker.Port, receiveBufferBytes: 4096);
        var pipeline = Enumerable.Range(0, pairs).SelectMany(k => new[] { Fetch(2 * k, "big", 0), Produce(2 * k + 1, "pipe", [$"p{k}"]) });
        var sending = flooder.SendRawAsync(System.Text.Encoding.UTF8.GetBytes(string.Concat(pipeline.Select(l => l + "\n"))));

        // the broker stops taking the flooder's requests: the produces it had taken stay where they are
        long taken = -1;
        for (int attempt = 0; attempt < 30; attempt++)
        {
            await Task.Delay(1000);
            long now = HighWatermark(await observer.RequestAsync("""{"id":3,"type":"metadata","topic":"pipe"}"""));
            if (now > 0 && now == taken) break;
            taken = now;
        }
        Assert.InRange(taken, 1, pairs - 1);
        // requests sent now stay in the socket, unread (the broker read the first ones ahead, into its line buffer)
        const int late = 100;
        await sending.WaitAsync(Bound);
        var lateSending = flooder.SendRawAsync(System.Text.Encoding.UTF8.GetBytes(string.Concat(
            Enumerable.Range(0, late).Select(i => Produce(2 * pairs + i, "pipe", [$"late{i}"]) + "\n"))));
        await Task.Delay(1000);
        Assert.Equal(taken, HighWatermark(await observer.RequestAsync("""{"id":4,"type":"metadata","topic":"pipe"}""")));

        // once the client reads, reading resumes: every request is answered, in order, none lost, each stored once
        for (int k = 0; k < pairs; k++)
        {
            string fetched = await flooder.ReadLineAsync(Bound), produced = await flooder.ReadLineAsync(Bound);
            Assert.Equal(2 * k, ReplyId(fetched));
            Assert.Single(Messages(fetched));
            Assert.Equal(2 * k + 1, ReplyId(produced));
            Assert.Equal(k, BaseOffset(produced));
        }
        for (int i = 0; i < late; i++) Assert.Equal(pairs + i, BaseOffset(await flooder.ReadLineAsync(Bound)));
        await lateSending.WaitAsync(Bound);
        Assert.Equal(pairs + late, HighWatermark(await observer.RequestAsync("""{"id":5,"type":"metadata","topic":"pipe"}""")));
    }

    /// <summary>The most a TCP socket's send buffer autotunes to (the third figure of tcp_wmem); 4 MiB where it cannot be read.</summary>
    private static long SocketSendBufferMaxBytes()
    {
        const string wmem = "/proc/sys/net/ipv4/tcp_wmem";
        return File.Exists(wmem) ? long.Parse(File.ReadAllText(wmem).Split((char[])['\t', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries)[2]) : 4 << 20;
    }

    private static long HighWatermark(string metadataReply)
    {
        using var doc = JsonDocument.Parse(metadataReply);
        return doc.RootElement.GetProperty("topics")[0].GetProperty("partitions")[0].GetProperty("high_watermark").GetInt64();
    }

    private static string Produce(int id, string topic, string[] messages) =>
        JsonSerializer.Serialize(new { id, type = "produce", topic, partition = 0, messages });

    private static string Fetch(int id, string topic, long offset, int? maxBytes = null, int? maxWaitMs = null) =>
        JsonSerializer.Serialize(new { id, type = "fetch", topic, partition = 0, offset, max_bytes = maxBytes, max_wait_ms = maxWaitMs }, OmitNulls);

    private static readonly JsonSerializerOptions OmitNulls = new() { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };

    /// <summary>A metadata request of exactly <paramref name="bytes"/> bytes (an ignored member pads it).</summary>
    private static string MetadataLine(int bytes)
    {
        const string head = """{"id":1,"type":"metadata","padding":""" + "\"", tail = "\"}";
        return head + new string('x', bytes - head.Length - tail.Length) + tail;
    }

    private static long BaseOffset(string reply)
    {
        using var doc = JsonDocument.Parse(reply);
        Assert.True(doc.RootElement.GetProperty("ok").GetBoolean(), reply);
        return doc.RootElement.GetProperty("base_offset").GetInt64();
    }

    private static int ReplyId(string reply)
    {
        using var doc = JsonDocument.Parse(reply);
        return doc.RootElement.GetProperty("id").GetInt32();
    }

    private static List<string> Messages(string fetchReply)
    {
        using var doc = JsonDocument.Parse(fetchReply);
        Assert.True(doc.RootElement.GetProperty("ok").GetBoolean(), fetchReply);
        return [.. doc.RootElement.GetProperty("records").EnumerateArray().Select(r => r.GetProperty("message").GetString()!)];
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
