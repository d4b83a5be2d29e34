using System.Text;
using System.Text.Json;
using Golog.Client;
using Golog.Protocol;
using Golog.Storage;

namespace Golog.EndToEnd.Tests;

/// <summary>
/// A fetch with "format":"batches" through a real broker: the stored batches come back whole in base64, the client's
/// in-place reader (<see cref="GologClient.FetchReplyAsync"/>, which asks for them) sees exactly the records a JSON
/// fetch shows, and a format the broker does not know is refused in words, with the connection still usable.
/// </summary>
public sealed class BatchFetchTests
{
    private static readonly string[] Messages =
    [
        "plain", "quote \" backslash \\ slash / newline \n tab \t", "non-ASCII é ü 中文 😀", "", new string('m', 1 << 20), "after the big one",
    ];

    [Fact]
    public async Task The_in_place_reader_sees_what_a_json_fetch_shows_from_any_offset()
    {
        await using var broker = await InProcessBroker.StartAsync();
        await using var client = await GologClient.ConnectAsync("127.0.0.1", broker.Port);
        await client.ProduceAsync("t", 0, [.. Messages.Take(3).Select(m => (ReadOnlyMemory<byte>)Encoding.UTF8.GetBytes(m))],
            key: "clé", headers: new Dictionary<string, string> { ["trace"] = "x1", ["é"] = "\n" });
        foreach (var m in Messages.Skip(3)) await client.ProduceAsync("t", 0, m);

        for (long from = 0; from < Messages.Length; from++)
        {
            var json = await client.FetchAsync("t", 0, from, maxBytes: 4 << 20);
            using var reply = await client.FetchReplyAsync("t", 0, from, maxBytes: 4 << 20);
            var records = new List<FetchedRecord>();
            foreach (var r in reply.Records) records.Add(r.ToRecord());

            Assert.Equal(json.Records.Select(r => (r.Offset, r.Timestamp, r.Key, r.Message)), records.Select(r => (r.Offset, r.Timestamp, r.Key, r.Message)));
            Assert.Equal(json.Records.Select(r => r.Headers?.OrderBy(h => h.Key).ToList()), records.Select(r => r.Headers?.OrderBy(h => h.Key).ToList()));
            Assert.Equal(Messages.Skip((int)from), records.Select(r => r.Message));
            Assert.Equal((json.HighWatermark, json.LogStartOffset), (reply.HighWatermark, reply.LogStartOffset));
        }
    }

    [Fact]
    public async Task Whole_batches_come_back_until_one_reaches_max_messages()
    {
        await using var broker = await InProcessBroker.StartAsync();
        await using var client = await LineClient.ConnectAsync(broker.Port);
        for (int b = 0; b < 3; b++) // three batches of five: offsets 0-4, 5-9, 10-14
            await client.RequestAsync($$"""{"type":"produce","id":{{b}},"topic":"t","partition":0,"messages":["a","b","c","d","e"]}""");

        // from offset 2, max 4: the first batch holds 3 of them, so the second is sent whole too, and no third
        var reply = JsonDocument.Parse(await client.RequestAsync("""{"type":"fetch","id":9,"topic":"t","partition":0,"offset":2,"max_messages":4,"format":"batches"}""")).RootElement;

        Assert.True(reply.GetProperty("ok").GetBoolean());
        Assert.False(reply.TryGetProperty("records", out _));
        Assert.Equal(15, reply.GetProperty("high_watermark").GetInt64());
        var batches = reply.GetProperty("batches").GetBytesFromBase64();
        var baseOffsets = new List<long>();
        for (var rest = batches.AsSpan(); !rest.IsEmpty;)
        {
            Assert.Equal(BatchStatus.Ok, RecordBatchReader.Validate(rest, int.MaxValue, out var info));
            baseOffsets.Add(info.BaseOffset);
            rest = rest[info.Size..];
        }
        Assert.Equal([0L, 5L], baseOffsets);
    }

    [Fact]
    public async Task A_fetch_at_the_high_watermark_gets_an_empty_batches_string()
    {
        await using var broker = await InProcessBroker.StartAsync();
        await using var client = await LineClient.ConnectAsync(broker.Port);
        await client.RequestAsync("""{"type":"produce","id":1,"topic":"t","partition":0,"message":"a"}""");

        var reply = JsonDocument.Parse(await client.RequestAsync("""{"type":"fetch","id":2,"topic":"t","partition":0,"offset":1,"format":"batches"}""")).RootElement;

        Assert.Equal("", reply.GetProperty("batches").GetString());
    }

    [Fact]
    public async Task An_unknown_format_is_refused_in_words_and_the_connection_goes_on()
    {
        await using var broker = await InProcessBroker.StartAsync();
        await using var client = await LineClient.ConnectAsync(broker.Port);
        await client.RequestAsync("""{"type":"produce","id":1,"topic":"t","partition":0,"message":"a"}""");

        var refused = JsonDocument.Parse(await client.RequestAsync("""{"type":"fetch","id":2,"topic":"t","partition":0,"offset":0,"format":"avro"}""")).RootElement;
        var seed = await client.RequestAsync("""{"type":"fetch","topic":"t","format":"batches"}""");
        var after = JsonDocument.Parse(await client.RequestAsync("""{"type":"fetch","id":3,"topic":"t","partition":0,"offset":0}""")).RootElement;

        Assert.Equal("invalid_request", refused.GetProperty("error").GetProperty("code").GetString());
        Assert.Equal("\"format\" must be \"records\" or \"batches\"", refused.GetProperty("error").GetProperty("message").GetString());
        Assert.Contains("\"format\" needs a framed request", seed);
        Assert.Equal("a", after.GetProperty("records")[0].GetProperty("message").GetString());
    }
}
