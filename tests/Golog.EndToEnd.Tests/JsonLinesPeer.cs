using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Golog.EndToEnd.Tests;

/// <summary>
/// A real JSON-lines listener on a free loopback port, standing in for a cluster node: each request line is handed
/// to <c>answer</c> with its parsed form, and the line it returns is sent back (null: the connection is closed
/// without an answer, as when a node dies). What it saw is kept, for tests to assert on.
/// </summary>
public sealed class JsonLinesPeer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Func<JsonElement, string, Task<string?>> _answer;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private readonly List<JsonElement> _seen = [];

    public JsonLinesPeer(Func<JsonElement, string, Task<string?>> answer)
    {
        _answer = answer;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>The requests received so far, of one type.</summary>
    public IReadOnlyList<JsonElement> Seen(string type)
    {
        lock (_seen) return _seen.Where(r => r.GetProperty("type").GetString() == type).ToList();
    }

    private async Task AcceptAsync()
    {
        var connections = new List<Task>();
        try
        {
            while (true) connections.Add(ServeAsync(await _listener.AcceptTcpClientAsync(_stop.Token)));
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException) { }
        await Task.WhenAll(connections);
    }

    private async Task ServeAsync(TcpClient tcp)
    {
        using var _ = tcp;
        var stream = tcp.GetStream();
        using var reader = new StreamReader(stream, new UTF8Encoding(false));
        try
        {
            while (await reader.ReadLineAsync(_stop.Token) is { } line)
            {
                var request = JsonDocument.Parse(line).RootElement.Clone();
                lock (_seen) _seen.Add(request);
                if (await _answer(request, line) is not { } reply) return; // dies without answering
                await stream.WriteAsync(Encoding.UTF8.GetBytes(reply + "\n"), _stop.Token);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or SocketException) { }
    }

    /// <summary>The id member of a request, as written (a number or a quoted string), for echoing in a reply.</summary>
    public static string IdOf(JsonElement request) => request.GetProperty("id").GetRawText();

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        _stop.Dispose();
    }
}
