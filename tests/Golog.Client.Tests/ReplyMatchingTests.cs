using Golog.Protocol;

namespace Golog.Client.Tests;

/// <summary>
/// <see cref="GologClient"/> against a scripted server instead of the broker, to make it see what the broker never
/// sends on purpose: replies that come after their request was given up, replies out of order, and a reply line
/// that never ends.
/// </summary>
public sealed class ReplyMatchingTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task Replies_to_cancelled_and_timed_out_requests_are_dropped_and_later_replies_still_line_up()
    {
        await using var server = ScriptedServer.Start();
        await using var client = await GologClient.ConnectAsync("127.0.0.1", server.Port);
        await using var broker = await server.AcceptAsync();

        using var cancel = new CancellationTokenSource();
        var cancelled = client.CommittedAsync("g", "t", 0, cancel.Token);
        long cancelledId = await broker.ReadRequestIdAsync();
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled.WaitAsync(Bound));

        using var shortTimeout = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        var timedOut = client.CommittedAsync("g", "t", 1, shortTimeout.Token);
        long timedOutId = await broker.ReadRequestIdAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => timedOut.WaitAsync(Bound));

        var answered = client.CommittedAsync("g", "t", 2);
        long answeredId = await broker.ReadRequestIdAsync();
        // The broker answers in request order, so the given-up requests' replies come first.
        await broker.SendLineAsync($$"""{"id":{{cancelledId}},"ok":true,"offset":100}""");
        await broker.SendLineAsync($$"""{"id":{{timedOutId}},"ok":true,"offset":200}""");
        await broker.SendLineAsync($$"""{"id":{{answeredId}},"ok":true,"offset":300}""");
        Assert.Equal(300, await answered.WaitAsync(Bound));

        var next = client.CommittedAsync("g", "t", 3);
        long nextId = await broker.ReadRequestIdAsync();
        await broker.SendLineAsync($$"""{"id":{{nextId}},"ok":true,"offset":400}""");
        Assert.Equal(400, await next.WaitAsync(Bound));
        Assert.True(client.IsConnected);
    }

    [Fact]
    public async Task A_reply_out_of_order_fails_its_request_and_closes_the_connection_instead_of_answering_the_wrong_one()
    {
        await using var server = ScriptedServer.Start();
        await using var client = await GologClient.ConnectAsync("127.0.0.1", server.Port);
        await using var broker = await server.AcceptAsync();

        var first = client.CommittedAsync("g", "t", 0);
        var second = client.CommittedAsync("g", "t", 1);
        long firstId = await broker.ReadRequestIdAsync();
        long secondId = await broker.ReadRequestIdAsync();
        await broker.SendLineAsync($$"""{"id":{{secondId}},"ok":true,"offset":200}""");
        await broker.SendLineAsync($$"""{"id":{{firstId}},"ok":true,"offset":100}""");

        var mismatch = await Assert.ThrowsAsync<GologException>(() => first.WaitAsync(Bound));
        Assert.Equal(GologException.UnexpectedReplyCode, mismatch.Code);
        Assert.Contains($"reply id {secondId} does not match request id {firstId}", mismatch.Message);
        var closed = await Assert.ThrowsAsync<BrokerUnavailableException>(() => second.WaitAsync(Bound));
        Assert.Contains("answered out of order", closed.Message);
        Assert.False(client.IsConnected);
        await Assert.ThrowsAsync<BrokerUnavailableException>(() => client.CommittedAsync("g", "t", 2).WaitAsync(Bound));
    }

    [Fact]
    public async Task A_fetch_read_in_place_lines_up_with_other_requests_and_a_refusal_throws_with_the_logs_bounds()
    {
        await using var server = ScriptedServer.Start();
        await using var client = await GologClient.ConnectAsync("127.0.0.1", server.Port);
        await using var broker = await server.AcceptAsync();

        var committed = client.CommittedAsync("g", "t", 0);
        var fetched = client.FetchReplyAsync("t", 0, 4);
        var refused = client.FetchReplyAsync("t", 0, 99);
        long committedId = await broker.ReadRequestIdAsync();
        long fetchedId = await broker.ReadRequestIdAsync();
        long refusedId = await broker.ReadRequestIdAsync();
        await broker.SendLineAsync($$"""{"id":{{committedId}},"ok":true,"offset":3}""");
        await broker.SendLineAsync($$$"""{"id":{{{fetchedId}}},"ok":true,"topic":"t","partition":0,"high_watermark":6,"log_start_offset":0,"records":[{"offset":4,"timestamp":1,"key":null,"message":"a\"b"},{"offset":5,"timestamp":2,"key":"k","message":"é"}]}""");
        await broker.SendLineAsync($$$"""{"id":{{{refusedId}}},"ok":false,"error":{"code":"offset_out_of_range","message":"offset 99 is past the end","log_start_offset":0,"high_watermark":6}}""");

        Assert.Equal(3, await committed.WaitAsync(Bound));
        using (var reply = await fetched.WaitAsync(Bound))
        {
            var records = new List<(long, string?, string)>();
            foreach (var r in reply.Records) records.Add((r.Offset, r.KeyString(), r.MessageString()));
            Assert.Equal([(4L, null, "a\"b"), (5L, "k", "é")], records);
            Assert.Equal(6, reply.HighWatermark);
        }
        var error = await Assert.ThrowsAsync<GologException>(() => refused.WaitAsync(Bound));
        Assert.Equal((ErrorCode.OffsetOutOfRange, 6L), (error.Code, error.HighWatermark));
        Assert.True(client.IsConnected);
    }

    [Fact]
    public async Task A_reply_line_over_the_limit_fails_the_request_and_the_client_hangs_up_without_buffering_the_rest()
    {
        const int limit = 64 * 1024;
        const long endless = 256L * 1024 * 1024;
        await using var server = ScriptedServer.Start();
        await using var client = await GologClient.ConnectAsync(new BrokerAddress("127.0.0.1", server.Port), limit, CancellationToken.None);
        await using var broker = await server.AcceptAsync();

        var request = client.MetadataAsync();
        await broker.ReadRequestIdAsync();
        var streaming = broker.StreamEndlessLineAsync(endless);

        var error = await Assert.ThrowsAsync<BrokerUnavailableException>(() => request.WaitAsync(Bound));
        Assert.Contains($"sent a reply longer than {limit} bytes; connection closed", error.Message);
        Assert.False(client.IsConnected);
        // The client closed the connection soon after the limit, so the server's writes failed long before the end:
        // what it got through is the limit plus what the two sockets' buffers hold, not the endless line.
        long sent = await streaming.WaitAsync(Bound);
        Assert.True(sent < endless / 4, $"the server sent {sent} bytes of one reply line before the client hung up");
    }
}
