using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Golog.Client.Tests;

/// <summary>The server side of one client connection of a <see cref="ScriptedServer"/>.</summary>
public sealed class ScriptedConnection : IAsyncDisposable
{
    private readonly TcpClient _tcp;
    private readonly NetworkStream _stream;
    private readonly StreamReader _requests;
    private readonly TimeSpan _bound;

    internal ScriptedConnection(TcpClient tcp, TimeSpan bound)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
        _requests = new StreamReader(_stream, new UTF8Encoding(false));
        _bound = bound;
    }

    /// <summary>The id of the next request the client sent (framed style: every request has one).</summary>
    public async Task<long> ReadRequestIdAsync()
    {
        using var timeout = new CancellationTokenSource(_bound);
        string line;
        try { line = await _requests.ReadLineAsync(timeout.Token) ?? throw new IOException("the client closed the connection"); }
        catch (OperationCanceledException) { throw new TimeoutException("the client sent no request"); }
        using var request = JsonDocument.Parse(line);
        return request.RootElement.GetProperty("id").GetInt64();
    }

    public async Task SendLineAsync(string line) => await _stream.WriteAsync(Encoding.UTF8.GetBytes(line + "\n"));

    /// <summary>
    /// Streams one endless reply line ('x' after 'x', no line end) until the client hangs up, at most
    /// <paramref name="maxBytes"/>; returns how many bytes went out before the connection broke (or all of them).
    /// </summary>
    public async Task<long> StreamEndlessLineAsync(long maxBytes)
    {
        var chunk = Enumerable.Repeat((byte)'x', 64 * 1024).ToArray();
        long sent = 0;
        using var timeout = new CancellationTokenSource(_bound);
        try
        {
            while (sent < maxBytes)
            {
                await _stream.WriteAsync(chunk, timeout.Token);
                sent += chunk.Length;
            }
        }
        catch (IOException) { /* the client closed the connection: what the test waits for */ }
        catch (OperationCanceledException) { /* the client stopped reading but kept the connection */ }
        return sent;
    }

    public ValueTask DisposeAsync()
    {
        _tcp.Dispose();
        return ValueTask.CompletedTask;
    }
}
