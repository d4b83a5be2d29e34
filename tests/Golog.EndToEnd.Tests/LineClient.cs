using System.Net.Sockets;
using System.Text;

namespace Golog.EndToEnd.Tests;

/// <summary>A raw line-oriented socket, for seed-style requests and hand-made bad input.</summary>
public sealed class LineClient : IAsyncDisposable
{
    private readonly TcpClient _tcp;
    private readonly NetworkStream _stream;
    private readonly StreamReader _reader;

    private LineClient(TcpClient tcp)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
        _reader = new StreamReader(_stream, new UTF8Encoding(false));
    }

    /// <summary>
    /// Connects; a small <paramref name="receiveBufferBytes"/> makes a client that does not read fill up fast, a small
    /// <paramref name="sendBufferBytes"/> makes a client whose requests are not read block on sending soon.
    /// </summary>
    public static async Task<LineClient> ConnectAsync(int port, int? receiveBufferBytes = null, int? sendBufferBytes = null)
    {
        var tcp = new TcpClient();
        if (receiveBufferBytes is { } size) tcp.ReceiveBufferSize = size;
        if (sendBufferBytes is { } send) tcp.SendBufferSize = send;
        await tcp.ConnectAsync("127.0.0.1", port);
        return new LineClient(tcp);
    }

    public Task SendAsync(string line) => SendRawAsync(Encoding.UTF8.GetBytes(line + "\n"));

    public async Task SendRawAsync(byte[] bytes) => await _stream.WriteAsync(bytes);

    /// <summary>The next reply line; throws TimeoutException if none comes within the bound.</summary>
    public async Task<string> ReadLineAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(15));
        try
        {
            return await _reader.ReadLineAsync(cts.Token) ?? throw new IOException("connection closed by the broker");
        }
        catch (OperationCanceledException) { throw new TimeoutException("no reply line"); }
    }

    /// <summary>Sends a request and returns its single reply line.</summary>
    public async Task<string> RequestAsync(string line)
    {
        await SendAsync(line);
        return await ReadLineAsync();
    }

    /// <summary>Reads lines until the broker is silent for <paramref name="quiet"/> (how the seed's consumer reads a fetch).</summary>
    public async Task<List<string>> ReadUntilQuietAsync(TimeSpan quiet)
    {
        var lines = new List<string>();
        while (true)
        {
            try { lines.Add(await ReadLineAsync(quiet)); }
            catch (TimeoutException) { return lines; }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _tcp.Dispose();
        await Task.CompletedTask;
    }
}
