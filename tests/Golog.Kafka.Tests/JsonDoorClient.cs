using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Golog.Kafka.Tests;

/// <summary>The JSON-lines door as a test speaks to it from the other side of a cross-door check: one framed request, one reply line.</summary>
public sealed class JsonDoorClient : IAsyncDisposable
{
    private readonly TcpClient _tcp;
    private readonly StreamReader _reader;
    private readonly Stream _stream;
    private int _id;

    private JsonDoorClient(TcpClient tcp)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
        _reader = new StreamReader(_stream, Encoding.UTF8);
    }

    public static async Task<JsonDoorClient> ConnectAsync(int port)
    {
        var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", port);
        return new JsonDoorClient(tcp);
    }

    /// <summary>Sends <paramref name="request"/> (its "id" added) and returns the reply line.</summary>
    public async Task<JsonElement> RequestAsync(Dictionary<string, object?> request)
    {
        request["id"] = ++_id;
        await _stream.WriteAsync(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(request) + "\n"));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var line = await _reader.ReadLineAsync(cts.Token) ?? throw new IOException("the broker closed the JSON connection");
        return JsonDocument.Parse(line).RootElement.Clone();
    }

    /// <summary>As <see cref="RequestAsync"/>, insisting on "ok": true.</summary>
    public async Task<JsonElement> OkAsync(Dictionary<string, object?> request)
    {
        var reply = await RequestAsync(request);
        Assert.True(reply.GetProperty("ok").GetBoolean(), reply.ToString());
        return reply;
    }

    public async Task<long?> CommittedAsync(string group, string topic, int partition)
    {
        var reply = await OkAsync(new() { ["type"] = "committed", ["group"] = group, ["topic"] = topic, ["partition"] = partition });
        return reply.GetProperty("offset").ValueKind == JsonValueKind.Null ? null : reply.GetProperty("offset").GetInt64();
    }

    public Task CommitAsync(string group, string topic, int partition, long offset) =>
        OkAsync(new() { ["type"] = "commit", ["group"] = group, ["topic"] = topic, ["partition"] = partition, ["offset"] = offset });

    public ValueTask DisposeAsync()
    {
        _reader.Dispose();
        _tcp.Dispose();
        return ValueTask.CompletedTask;
    }
}
