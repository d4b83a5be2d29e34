using System.Net.Sockets;
using System.Text;
using System.Threading.Channels;
using Golog.Client;
using Golog.Protocol;

namespace Golog.Producer;

/// <summary>
/// One raw socket to the broker for <see cref="SeedSession"/>: lines out, reply lines in. Not the framed
/// <see cref="GologClient"/>: seed-style requests get plain-text replies ("ack offset 0", "error: ...") that only
/// make sense printed verbatim. A broken connection surfaces as <see cref="BrokerUnavailableException"/>.
/// </summary>
internal sealed class SeedConnection : IAsyncDisposable
{
    private const int ReadChunkBytes = 128 * 1024;

    private readonly BrokerAddress _broker;
    private readonly NetworkStream _stream;
    // Reply lines, read by a background loop so waiting for one can time out without disturbing the socket.
    private readonly Channel<string> _replies = Channel.CreateUnbounded<string>(new() { SingleReader = true, SingleWriter = true });
    private readonly Task _readLoop;

    private SeedConnection(BrokerAddress broker, Socket socket)
    {
        _broker = broker;
        _stream = new NetworkStream(socket, ownsSocket: true);
        _readLoop = Task.Run(ReadLoopAsync);
    }

    public static async Task<SeedConnection> ConnectAsync(BrokerAddress broker, CancellationToken cancellationToken) =>
        new(broker, await BrokerConnector.ConnectAsync(broker, cancellationToken).ConfigureAwait(false));

    public async Task SendAsync(string line)
    {
        try
        {
            await _stream.WriteAsync(Encoding.UTF8.GetBytes(line + "\n")).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            throw new BrokerUnavailableException(_broker, $"broker at {_broker} closed the connection", e);
        }
    }

    /// <summary>A reply line that has already arrived, if any.</summary>
    public bool TryTakeReply(out string line) => _replies.Reader.TryRead(out line!);

    /// <summary>The next reply line; null if none came within <paramref name="timeout"/>.</summary>
    public async Task<string?> NextReplyAsync(TimeSpan? timeout)
    {
        using var cts = timeout is { } t ? new CancellationTokenSource(t) : null;
        try
        {
            // Channel reads are cancellation-safe: a timed-out wait consumes nothing.
            return await _replies.Reader.ReadAsync(cts?.Token ?? default).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cts is { IsCancellationRequested: true })
        {
            return null;
        }
        catch (ChannelClosedException e)
        {
            throw e.InnerException as BrokerUnavailableException
                ?? new BrokerUnavailableException(_broker, $"broker at {_broker} closed the connection");
        }
    }

    private async Task ReadLoopAsync()
    {
        var replyLines = new LineReader(_stream, LineReader.MaxBrokerReplyBytes, ReadChunkBytes);
        try
        {
            while (await replyLines.ReadLineAsync().ConfigureAwait(false) is { } line)
                _replies.Writer.TryWrite(Encoding.UTF8.GetString(line.Span));
            _replies.Writer.TryComplete();
        }
        catch (LineTooLongException e)
        {
            // Nothing after it can be framed, so reading stops here; the next exchange reports it.
            _replies.Writer.TryComplete(new BrokerUnavailableException(_broker, $"broker at {_broker} sent a reply longer than {e.MaxLineBytes} bytes", e));
        }
        catch (Exception e)
        {
            _replies.Writer.TryComplete(new BrokerUnavailableException(_broker, $"broker at {_broker} is not reachable ({e.Message})", e));
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stream.DisposeAsync().ConfigureAwait(false);
        try { await _readLoop.ConfigureAwait(false); } catch { /* reported through the channel */ }
    }
}
