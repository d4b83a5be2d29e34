using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Golog.Protocol;

namespace Golog.Http.Tests;

/// <summary>The /api the console reads, against what clients did through the JSON door.</summary>
public class AdminApiTests
{
    private static async Task<JsonElement> GetJsonAsync(HttpBroker broker, string path)
    {
        var response = await broker.Http.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
    }

    [Fact]
    public async Task A_topic_created_over_http_is_there_for_the_json_door_and_listed_with_its_partitions()
    {
        await using var broker = await HttpBroker.StartAsync();
        var created = await broker.Http.PostAsJsonAsync("api/topics", new { name = "made-over-http", partitions = 3 });
        var again = await broker.Http.PostAsJsonAsync("api/topics", new { name = "made-over-http", partitions = 3 });
        await using var client = await broker.ConnectAsync();
        var produced = await client.ProduceAsync("made-over-http", 2, "hello");

        var topic = await GetJsonAsync(broker, "api/topics/made-over-http");

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal(2, produced.Partition);
        Assert.Equal(3, topic.GetProperty("partitions").GetArrayLength());
        Assert.Equal(1, topic.GetProperty("partitions")[2].GetProperty("highWatermark").GetInt64());
        Assert.True(topic.GetProperty("partitions")[2].GetProperty("sizeBytes").GetInt64() > 0);
        var listed = (await GetJsonAsync(broker, "api/topics")).EnumerateArray().Single(t => t.GetProperty("name").GetString() == "made-over-http");
        Assert.Equal(1, listed.GetProperty("messages").GetInt64());
    }

    [Fact]
    public async Task Messages_come_back_with_keys_timestamps_json_pretty_printed_text_as_is_and_binary_safely()
    {
        await using var broker = await HttpBroker.StartAsync();
        await using var client = await broker.ConnectAsync();
        await client.ProduceAsync("browse", 0, "{\"order\":7,\"items\":[1,2]}", key: "customer-7");
        await client.ProduceAsync("browse", 0, "<img src=x onerror=alert(1)>");
        const string terminalEscapes = "\u0000\u0001\u001b[31mred"; // control bytes: shown as binary, never fed to a terminal or page
        await client.ProduceAsync("browse", 0, terminalEscapes);
        for (int i = 0; i < 10; i++) await client.ProduceAsync("browse", 0, $"filler-{i}");

        var lastTwo = await GetJsonAsync(broker, "api/topics/browse/partitions/0/messages?last=2");
        var firstThree = (await GetJsonAsync(broker, "api/topics/browse/partitions/0/messages?offset=0&limit=3")).GetProperty("messages");

        Assert.Equal([11L, 12L], lastTwo.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("offset").GetInt64()));
        var json = firstThree[0];
        Assert.Equal("customer-7", json.GetProperty("key").GetProperty("text").GetString());
        Assert.Equal("json", json.GetProperty("value").GetProperty("format").GetString());
        Assert.Contains("\n  \"order\": 7", json.GetProperty("value").GetProperty("text").GetString());
        Assert.True(json.GetProperty("timestamp").GetInt64() > DateTimeOffset.UtcNow.AddMinutes(-5).ToUnixTimeMilliseconds());
        Assert.Equal(JsonValueKind.Null, firstThree[1].GetProperty("key").ValueKind);
        Assert.Equal("<img src=x onerror=alert(1)>", firstThree[1].GetProperty("value").GetProperty("text").GetString());
        var binary = firstThree[2].GetProperty("value");
        Assert.Equal("binary", binary.GetProperty("format").GetString());
        Assert.StartsWith(Convert.ToBase64String(Encoding.UTF8.GetBytes(terminalEscapes)) + "\n", binary.GetProperty("text").GetString());
    }

    [Fact]
    public async Task A_group_shows_state_members_assignment_and_lag_per_partition()
    {
        await using var broker = await HttpBroker.StartAsync();
        await using var client = await broker.ConnectAsync();
        await client.CreateTopicAsync("grouped", 2);
        await client.ProduceAsync("grouped", 0, ["a", "b", "c", "d"]);
        var joined = await client.JoinGroupAsync("readers", ["grouped"], clientId: "reader-1");
        await client.CommitAsync("readers", "grouped", 0, 1, member: new MemberGeneration(joined.MemberId, joined.GenerationId));

        var group = await GetJsonAsync(broker, "api/groups/readers");
        var groups = await GetJsonAsync(broker, "api/groups");

        Assert.Equal("stable", group.GetProperty("state").GetString());
        var member = group.GetProperty("members").EnumerateArray().Single();
        Assert.Equal("reader-1", member.GetProperty("clientId").GetString());
        Assert.Equal([0, 1], member.GetProperty("assignment")[0].GetProperty("partitions").EnumerateArray().Select(p => p.GetInt32()));
        var p0 = group.GetProperty("offsets").EnumerateArray().Single(o => o.GetProperty("partition").GetInt32() == 0);
        Assert.Equal(3, p0.GetProperty("lag").GetInt64());
        Assert.Equal(3, groups.EnumerateArray().Single(g => g.GetProperty("name").GetString() == "readers").GetProperty("totalLag").GetInt64());
    }

    [Fact]
    public async Task The_overview_charts_the_messages_produced_and_fetched()
    {
        await using var broker = await HttpBroker.StartAsync();
        await using var client = await broker.ConnectAsync();
        await client.ProduceAsync("charted", 0, Enumerable.Range(0, 500).Select(i => $"m{i}").ToList());
        await client.FetchAsync("charted", 0, 0, maxMessages: 500);

        // the history samples every 2 s: wait (bounded) for a sample that covers the produce and the fetch
        JsonElement? moving = null;
        for (int attempt = 0; attempt < 40 && moving is null; attempt++)
        {
            var points = (await GetJsonAsync(broker, "api/overview")).GetProperty("throughput").EnumerateArray().ToList();
            if (points.Any(p => p.GetProperty("inPerSecond").GetDouble() > 0) && points.Any(p => p.GetProperty("outPerSecond").GetDouble() > 0)) moving = points[^1];
            else await Task.Delay(250);
        }

        Assert.NotNull(moving);
    }

    [Fact]
    public async Task One_node_is_a_cluster_of_one_that_leads_and_holds_every_partition_in_sync()
    {
        await using var broker = await HttpBroker.StartAsync();
        await using var client = await broker.ConnectAsync();
        await client.CreateTopicAsync("orders", 3);
        await client.CreateTopicAsync("audit", 1);

        var cluster = await GetJsonAsync(broker, "api/cluster");

        Assert.False(cluster.GetProperty("clustered").GetBoolean());
        var node = Assert.Single(cluster.GetProperty("brokers").EnumerateArray());
        int self = cluster.GetProperty("self").GetInt32();
        Assert.Equal(self, node.GetProperty("nodeId").GetInt32());
        Assert.Equal(broker.JsonPort, node.GetProperty("port").GetInt32());
        Assert.Equal("up", node.GetProperty("status").GetString());
        Assert.Equal(4, node.GetProperty("leads").GetInt32());
        Assert.Equal(4, node.GetProperty("replicas").GetInt32());
        Assert.Equal(0, cluster.GetProperty("underReplicated").GetInt32());
        Assert.Equal(0, cluster.GetProperty("leaderless").GetInt32());
        var partitions = cluster.GetProperty("partitions").EnumerateArray().ToList();
        Assert.Equal(["audit/0", "orders/0", "orders/1", "orders/2"],
            partitions.Select(p => $"{p.GetProperty("topic").GetString()}/{p.GetProperty("partition").GetInt32()}").Order(StringComparer.Ordinal));
        Assert.All(partitions, p =>
        {
            Assert.Equal(self, p.GetProperty("leader").GetInt32());
            Assert.Equal([self], p.GetProperty("isr").EnumerateArray().Select(i => i.GetInt32()));
            Assert.False(p.GetProperty("underReplicated").GetBoolean());
        });
    }

    [Fact]
    public async Task Brokers_list_every_door_and_the_configuration_is_the_effective_one()
    {
        await using var broker = await HttpBroker.StartAsync("--set", "golog.segment.bytes=8MiB");

        var brokers = await GetJsonAsync(broker, "api/brokers");
        var config = await GetJsonAsync(broker, "api/config");

        var doors = brokers[0].GetProperty("doors");
        Assert.Equal(broker.JsonPort, doors.GetProperty("json").GetProperty("port").GetInt32());
        Assert.Equal(broker.BaseAddress.Port, doors.GetProperty("http").GetProperty("port").GetInt32());
        Assert.Equal("8MiB", config.GetProperty("golog.segment.bytes").GetString());
        Assert.Equal("always", config.GetProperty("golog.flush.policy").GetString());
    }

    [Fact]
    public async Task The_console_is_served_by_the_broker_with_a_policy_that_loads_nothing_from_elsewhere()
    {
        await using var broker = await HttpBroker.StartAsync();
        var page = await broker.Http.GetAsync("");
        string html = await page.Content.ReadAsStringAsync();

        Assert.Equal("text/html", page.Content.Headers.ContentType!.MediaType);
        Assert.Contains("default-src 'self'", page.Headers.GetValues("Content-Security-Policy").Single());
        Assert.DoesNotContain("http://", html);
        Assert.DoesNotContain("https://", html);
        Assert.Equal(HttpStatusCode.OK, (await broker.Http.GetAsync("console.js")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await broker.Http.GetAsync("console.css")).StatusCode);
    }
}
