using System.Net.Sockets;
using System.Text;
using Golog.Client;

namespace Golog.Flood;

/// <summary>
/// The hostile load: many connections producing as fast as their acks come back, and one connection that pipelines
/// a large number of requests and never reads a reply. Runs until disposed.
/// </summary>
public sealed class FloodLoad : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly List<GologClient> _clients = [];
    private readonly List<Task> _producers = [];
    private TcpClient? _pipeliner;
    private Task? _pipelining;
    private long _acked;

    public long Acked => Interlocked.Read(ref _acked);

    public static async Task<FloodLoad> StartAsync(int port, int connections, int pipelined)
    {
        var load = new FloodLoad();
        for (int c = 0; c < connections; c++) load._clients.Add(await GologClient.ConnectAsync("127.0.0.1", port));
        foreach (var (client, c) in load._clients.Select((client, c) => (client, c))) load._producers.Add(load.ProduceUntilStoppedAsync(client, c));
        load._pipeliner = new TcpClient { ReceiveBufferSize = 64 * 1024 };
        await load._pipeliner.ConnectAsync("127.0.0.1", port);
        load._pipelining = load.PipelineWithoutReadingAsync(load._pipeliner.GetStream(), pipelined);
        return load;
    }

    private async Task ProduceUntilStoppedAsync(GologClient client, int c)
    {
        try
        {
            for (long i = 0; !_stop.IsCancellationRequested; i++)
            {
                await client.ProduceAsync("flood", c % 8, $"c{c}-m{i}", cancellationToken: _stop.Token);
                Interlocked.Increment(ref _acked);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException) { }
    }

    private async Task PipelineWithoutReadingAsync(NetworkStream stream, int requests)
    {
        var line = Encoding.UTF8.GetBytes("""{"id":1,"type":"produce","topic":"pipelined","partition":0,"message":"never-read"}""" + "\n");
        var chunk = Enumerable.Repeat(line, 1000).SelectMany(b => b).ToArray();
        try
        {
            for (int sent = 0; sent < requests; sent += 1000) await stream.WriteAsync(chunk, _stop.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException) { } // closed by the broker's write timeout, or stopped
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _pipeliner?.Dispose();
        foreach (var client in _clients) await client.DisposeAsync();
        await Task.WhenAll([.. _producers, _pipelining ?? Task.CompletedTask]);
        _stop.Dispose();
    }
}
