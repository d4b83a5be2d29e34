using Golog.Client;

namespace Golog.EndToEnd.Tests;

public sealed class MessageContentTests
{
    private static readonly string[] Nasty =
    [
        "line one\nline two", "carriage\r\nreturn", "say \"hi\"", "back\\slash", "tab\there",
        "naïve café ünïcödé", "日本語のメッセージ", "emoji 😀🎉", "</script><b>", "{\"json\":\"inside\"}", " ", "",
    ];

    [Fact]
    public async Task Newlines_quotes_and_non_ascii_round_trip_intact_in_framed_style()
    {
        await using var broker = await InProcessBroker.StartAsync();
        await using var client = await GologClient.ConnectAsync("127.0.0.1", broker.Port);
        await client.ProduceAsync("text", 0, Nasty, key: "clé \"k\"", headers: new Dictionary<string, string> { ["h\n1"] = "välue" });
        var fetched = await client.FetchAsync("text", 0, 0);
        Assert.Equal(Nasty, fetched.Records.Select(r => r.Message));
        Assert.All(fetched.Records, r => Assert.Equal("clé \"k\"", r.Key));
        Assert.All(fetched.Records, r => Assert.Equal("välue", r.Headers!["h\n1"]));
    }

    [Fact]
    public async Task Seed_style_fetch_keeps_one_record_per_line_with_escaped_line_breaks()
    {
        await using var broker = await InProcessBroker.StartAsync();
        await using var c = await LineClient.ConnectAsync(broker.Port);
        foreach (var m in Nasty.Where(m => m.Length > 0))
            Assert.StartsWith("ack offset", await c.RequestAsync(System.Text.Json.JsonSerializer.Serialize(new { type = "produce", topic = "text", partition = 0, message = m })));
        await c.SendAsync("""{"type":"fetch","topic":"text","partition":0,"offset":0}""");
        var lines = await c.ReadUntilQuietAsync(TimeSpan.FromMilliseconds(500));
        var expected = Nasty.Where(m => m.Length > 0).ToList();
        Assert.Equal(expected.Count, lines.Count);
        for (int i = 0; i < lines.Count; i++)
        {
            var prefix = $"offset {i}: ";
            Assert.StartsWith(prefix, lines[i]);
            Assert.Equal(expected[i], Golog.Protocol.SeedText.Unescape(lines[i].AsSpan(prefix.Length)));
        }
    }
}
