using System.Buffers;
using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Golog.Client;
using Golog.Protocol;

namespace Golog.Perf;

/// <summary>
/// One connection producing in the seed's style: produce lines without "id", each answered by "ack offset N" in
/// order, with up to <c>window</c> lines in flight. Speaks only what a seed server speaks, so the same load drives
/// the broker and the transport null servers.
/// </summary>
public sealed class SeedProducer : IAsyncDisposable
{
    private const int MaxReplyLineBytes = 64 * 1024;
    private readonly Socket _socket;
    private readonly LineReader _acks;
    private readonly Queue<long> _sentAt = new();
    private long _lastAck = -1;

    private SeedProducer(Socket socket)
    {
        _socket = socket;
        _acks = new LineReader(new NetworkStream(socket, ownsSocket: false), MaxReplyLineBytes);
    }

    public static async Task<SeedProducer> ConnectAsync(BrokerAddress broker, CancellationToken cancellationToken) =>
        new(await BrokerConnector.ConnectAsync(broker, cancellationToken).ConfigureAwait(false));

    public async Task RunAsync(string topic, int partition, int writer, int window, int size, BatchSource source,
        RunStats stats, CancellationToken stop)
    {
        var output = new ArrayBufferWriter<byte>(64 * 1024);
        var requests = new RequestWriter(output);
        var payload = new byte[size];
        bool more = true;
        while (true)
        {
            while (more && _sentAt.Count < window)
            {
                if (!source.TryClaim(out long seq, out _)) { more = false; break; }
                Payload.Write(payload, writer, seq);
                requests.SeedProduce(topic, partition, payload);
                _sentAt.Enqueue(Stopwatch.GetTimestamp());
            }
            for (int sent = 0; sent < output.WrittenCount;)
                sent += await _socket.SendAsync(output.WrittenMemory[sent..], SocketFlags.None, stop).ConfigureAwait(false);
            output.ResetWrittenCount();
            if (_sentAt.Count == 0) return;

            // Wait for one ack, then take every ack that came with it before refilling the window.
            var ack = await _acks.ReadLineAsync(stop).ConfigureAwait(false)
                ?? throw new IOException($"the server closed the connection with {_sentAt.Count} produce requests unanswered");
            TakeAck(ack.Span, stats);
            while (_acks.TryReadBufferedLine(out ack)) TakeAck(ack.Span, stats);
        }
    }

    /// <summary>Every reply line must be an ack, and a connection's acks must carry increasing offsets.</summary>
    private void TakeAck(ReadOnlySpan<byte> line, RunStats stats)
    {
        if (!SeedText.TryParseAck(line, out long offset))
            throw new InvalidDataException($"expected \"ack offset N\", got \"{Encoding.UTF8.GetString(line)}\"");
        if (offset <= _lastAck) throw new InvalidDataException($"ack offset {offset} after ack offset {_lastAck} on one connection");
        if (!_sentAt.TryDequeue(out long sentAt)) throw new InvalidDataException("an ack came for a request never sent");
        _lastAck = offset;
        stats.Completed(1, sentAt);
    }

    public ValueTask DisposeAsync()
    {
        _socket.Dispose();
        return ValueTask.CompletedTask;
    }
}
