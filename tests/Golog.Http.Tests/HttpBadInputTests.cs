using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Golog.Http.Tests;

/// <summary>What the HTTP door does with requests it cannot serve: clear answers, bounded costs, the other doors untouched.</summary>
public class HttpBadInputTests
{
    [Theory]
    [InlineData("no/such/page")]
    [InlineData("api/nothing-here")]
    [InlineData("api/topics/never-created")]
    [InlineData("api/groups/never-seen")]
    public async Task Unknown_paths_and_names_are_404_with_a_reason(string path)
    {
        await using var broker = await HttpBroker.StartAsync();
        var response = await broker.Http.GetAsync(path);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.False(string.IsNullOrWhiteSpace(body.RootElement.GetProperty("message").GetString()));
    }

    [Fact]
    public async Task Malformed_json_is_400_saying_where_without_parser_internals_and_creates_nothing()
    {
        await using var broker = await HttpBroker.StartAsync();
        var response = await broker.Http.PostAsync("api/topics", new StringContent("{\"name\": \"orders\",", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("invalid_json", body.RootElement.GetProperty("error").GetString());
        string message = body.RootElement.GetProperty("message").GetString()!;
        Assert.StartsWith("the request body is not valid JSON", message);
        Assert.DoesNotContain("BytePositionInLine", message);
        Assert.Equal(HttpStatusCode.NotFound, (await broker.Http.GetAsync("api/topics/orders")).StatusCode);
    }

    [Theory]
    [InlineData("[1, 2]", "invalid_request")]
    [InlineData("{\"name\": \"ok-name\", \"partitions\": 0}", "invalid_request")]
    [InlineData("{\"name\": \"bad name/with slash\"}", "invalid_topic_name")]
    public async Task A_create_topic_body_that_is_json_but_wrong_is_400_naming_the_problem(string json, string code)
    {
        await using var broker = await HttpBroker.StartAsync();
        var response = await broker.Http.PostAsync("api/topics", new StringContent(json, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(code, body.RootElement.GetProperty("error").GetString());
    }

    [Fact]
    public async Task A_huge_body_is_refused_with_413_and_the_door_keeps_serving()
    {
        await using var broker = await HttpBroker.StartAsync();
        var huge = new StringContent("{\"name\": \"" + new string('x', 2 * 1024 * 1024) + "\"}", Encoding.UTF8, "application/json");

        var response = await broker.Http.PostAsync("api/topics", huge);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await broker.Http.GetAsync("api/topics")).StatusCode);
    }

    [Fact]
    public async Task A_client_that_trickles_its_headers_is_timed_out_while_the_json_door_serves_on()
    {
        await using var broker = await HttpBroker.StartAsync("--set", "golog.connections.partial-line-timeout=2s");
        using var slow = new TcpClient();
        await slow.ConnectAsync(IPAddress.Loopback, broker.BaseAddress.Port);
        var stream = slow.GetStream();
        await stream.WriteAsync("GET /api/topics HTTP/1.1\r\nHost: x\r\n"u8.ToArray()); // and never the blank line that ends the headers

        await using var client = await broker.ConnectAsync();
        var produced = await client.ProduceAsync("beside-a-slow-http-client", 0, "still served");

        var buffer = new byte[4096];
        int total = 0, read;
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while ((read = await stream.ReadAsync(buffer.AsMemory(total), deadline.Token)) > 0) total += read; // the server closes
        string answer = Encoding.ASCII.GetString(buffer, 0, total);

        Assert.Equal(0, produced.BaseOffset);
        Assert.True(answer.Length == 0 || answer.StartsWith("HTTP/1.1 408"), answer);
    }
}
