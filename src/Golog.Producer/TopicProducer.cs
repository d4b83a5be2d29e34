using System.Threading.Channels;
using Golog.Client;

namespace Golog.Producer;

/// <summary>
/// --topic mode: every stdin line is one message. Requests are pipelined (up to <see cref="MaxInFlight"/> waiting
/// for their acks) and acks are printed in input order, as soon as each arrives, so interactive use sees every ack
/// right after its line. When the broker goes away, <see cref="BrokerLink"/> reconnects and every message not yet
/// acknowledged is sent again, in order (at least once: one the broker stored just before the break is stored twice).
/// A cluster node that does not lead the partition answers not_leader: the producer follows the leader it names and
/// sends again what was not acknowledged, in order, at most <see cref="MaxLeaderMoves"/> times without an ack between.
/// </summary>
internal sealed class TopicProducer(BrokerLink<GologClient> link, ProducerOptions options, TextWriter output)
{
    private const int MaxInFlight = 64;
    private const int MaxLeaderMoves = 20;

    private int _leaderMoves; // not_leader answers since the last ack

    private readonly Queue<(string Line, Task<ProduceResult> Ack)> _pending = new();

    /// <summary>Returns how many messages the broker refused. Throws <see cref="BrokerUnavailableException"/> once reconnecting gave up.</summary>
    public async Task<int> RunAsync(TextReader input)
    {
        // Bounded: with MaxInFlight acks outstanding and this full, reading stdin waits.
        var lines = Channel.CreateBounded<string>(new BoundedChannelOptions(MaxInFlight) { SingleReader = true, SingleWriter = true });
        var reading = Task.Run(async () =>
        {
            try
            {
                while (await input.ReadLineAsync().ConfigureAwait(false) is { } line) await lines.Writer.WriteAsync(line).ConfigureAwait(false);
                lines.Writer.TryComplete();
            }
            catch (Exception e) { lines.Writer.TryComplete(e); } // e.g. stdin could not be read: reported below
        });

        int refused = 0;
        try
        {
            while (true)
            {
                while (_pending.Count < MaxInFlight && lines.Reader.TryRead(out var line)) Send(line);
                if (_pending.Count == 0)
                {
                    if (!await lines.Reader.WaitToReadAsync().ConfigureAwait(false)) break;
                    continue;
                }
                var oldest = _pending.Peek().Ack;
                // Keep pipelining while the oldest ack is on its way.
                if (_pending.Count < MaxInFlight) await Task.WhenAny(oldest, lines.Reader.WaitToReadAsync().AsTask()).ConfigureAwait(false);
                if (!oldest.IsCompleted && _pending.Count < MaxInFlight && lines.Reader.TryPeek(out _)) continue;
                try
                {
                    var r = await oldest.ConfigureAwait(false);
                    _leaderMoves = 0;
                    await output.WriteLineAsync($"ack partition {r.Partition} offset {r.BaseOffset}").ConfigureAwait(false);
                }
                catch (GologException e) when (e.Code == Golog.Protocol.ErrorCode.NotLeader && ++_leaderMoves <= MaxLeaderMoves)
                {
                    await ResendToLeaderAsync(e.Error.Leader is { } l ? new BrokerAddress(l.Host, l.Port) : null).ConfigureAwait(false);
                    continue;
                }
                catch (GologException e) when (!Reconnect.IsBrokerUnavailable(e))
                {
                    refused++;
                    await link.ErrorAsync($"error: {e.Message} ({e.Code})").ConfigureAwait(false);
                }
                catch (Exception e) when (Reconnect.IsBrokerUnavailable(e))
                {
                    await ResendAfterReconnectAsync().ConfigureAwait(false);
                    continue;
                }
                _pending.Dequeue();
                // Flush when caught up (interactive use) rather than per line (piped bulk input).
                if (_pending.Count == 0) await output.FlushAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            await output.FlushAsync().ConfigureAwait(false);
        }
        await reading.ConfigureAwait(false);
        return refused;
    }

    private void Send(string line) => _pending.Enqueue((line, link.Connection.ProduceAsync(options.Topic!, options.Partition, line, options.Key)));

    private Task ResendAfterReconnectAsync() => ResendAsync(link.ReconnectAsync);

    private Task ResendToLeaderAsync(BrokerAddress? leader) => ResendAsync(next => link.FollowAsync(leader, next));

    /// <summary>Replaces the connection with <paramref name="connect"/>, then sends every unacknowledged message again, in order.</summary>
    private async Task ResendAsync(Func<string, Task> connect)
    {
        var unacknowledged = _pending.Select(p => p.Line).ToList();
        await connect($"{unacknowledged.Count} message(s) not acknowledged will be sent again").ConfigureAwait(false);
        _pending.Clear();
        foreach (var line in unacknowledged) Send(line);
    }
}
