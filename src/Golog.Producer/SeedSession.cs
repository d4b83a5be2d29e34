using System.Net.Sockets;
using System.Text;
using System.Threading.Channels;
using Golog.Client;
using Golog.Protocol;

namespace Golog.Producer;

/// <summary>
/// The seed producer's loop on a raw socket: send each request as typed, print the reply lines as they come.
/// Not the framed <see cref="GologClient"/>: seed-style requests get plain-text replies ("ack offset 0",
/// "error: ...") that only make sense printed verbatim.
/// </summary>
internal sealed class SeedSession : IAsyncDisposable
{
    /// <summary>A seed fetch has no end marker; like the Go consumer, treat this much silence as its end.</summary>
    private static readonly TimeSpan FetchQuietPeriod = TimeSpan.FromMilliseconds(500);
    private const int ReadChunkBytes = 128 * 1024;

    private readonly BrokerAddress _broker;
    private readonly NetworkStream _stream;
    private readonly TextWriter _out;
    // Reply lines, read by a background loop so waiting for one can time out without disturbing the socket.
    private readonly Channel<string> _replies = Channel.CreateUnbounded<string>(new() { SingleReader = true, SingleWriter = true });
    private readonly Task _readLoop;

    private SeedSession(BrokerAddress broker, Socket socket, TextWriter output)
    {
        _broker = broker;
        _stream = new NetworkStream(socket, ownsSocket: true);
        _out = output;
        _readLoop = Task.Run(ReadLoopAsync);
    }

    public static async Task<SeedSession> ConnectAsync(BrokerAddress broker, TextWriter output, CancellationToken cancellationToken = default) =>
        new(broker, await BrokerConnector.ConnectAsync(broker, cancellationToken).ConfigureAwait(false), output);

    /// <summary>Reads requests from <paramref name="input"/> until it ends, relaying each and printing its replies.</summary>
    public async Task RunAsync(TextReader input)
    {
        var chunker = new JsonChunker();
        while (await input.ReadLineAsync().ConfigureAwait(false) is { } line)
        {
            foreach (var text in chunker.AddLine(line)) await ExchangeAsync(SeedRequest.From(text)).ConfigureAwait(false);
        }
        if (chunker.Finish() is { } rest) await ExchangeAsync(SeedRequest.From(rest)).ConfigureAwait(false);
    }

    private async Task ExchangeAsync(SeedRequest request)
    {
        // Lines that came after the last fetch's quiet period belong to it; show them before the next reply.
        while (_replies.Reader.TryRead(out var late)) await _out.WriteLineAsync(late).ConfigureAwait(false);

        try
        {
            await _stream.WriteAsync(Encoding.UTF8.GetBytes(request.Line + "\n")).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            throw new BrokerUnavailableException(_broker, $"broker at {_broker} closed the connection", e);
        }

        if (request.IsSeedFetch)
        {
            while (await NextReplyAsync(FetchQuietPeriod).ConfigureAwait(false) is { } line)
                await _out.WriteLineAsync(line).ConfigureAwait(false);
        }
        else
        {
            await _out.WriteLineAsync(await NextReplyAsync(null).ConfigureAwait(false)).ConfigureAwait(false);
        }
        await _out.FlushAsync().ConfigureAwait(false);
    }

    /// <summary>The next reply line; null if none came within <paramref name="timeout"/>.</summary>
    private async Task<string?> NextReplyAsync(TimeSpan? timeout)
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
