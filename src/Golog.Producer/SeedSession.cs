using Golog.Client;

namespace Golog.Producer;

/// <summary>
/// The seed producer's loop: send each request as typed, print the reply lines as they come. A request whose reply
/// did not arrive because the broker went away is sent again once <see cref="BrokerLink{T}"/> has reconnected.
/// </summary>
internal sealed class SeedSession(BrokerLink<SeedConnection> link, TextWriter output)
{
    /// <summary>A seed fetch has no end marker; like the Go consumer, treat this much silence as its end.</summary>
    private static readonly TimeSpan FetchQuietPeriod = TimeSpan.FromMilliseconds(500);

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
        while (true)
        {
            try
            {
                await ExchangeOnceAsync(link.Connection, request).ConfigureAwait(false);
                return;
            }
            catch (BrokerUnavailableException)
            {
                await link.ReconnectAsync("the request not answered will be sent again").ConfigureAwait(false);
            }
        }
    }

    private async Task ExchangeOnceAsync(SeedConnection connection, SeedRequest request)
    {
        // Lines that came after the last fetch's quiet period belong to it; show them before the next reply.
        while (connection.TryTakeReply(out var late)) await output.WriteLineAsync(late).ConfigureAwait(false);

        await connection.SendAsync(request.Line).ConfigureAwait(false);
        if (request.IsSeedFetch)
        {
            while (await connection.NextReplyAsync(FetchQuietPeriod).ConfigureAwait(false) is { } line)
                await output.WriteLineAsync(line).ConfigureAwait(false);
        }
        else
        {
            await output.WriteLineAsync(await connection.NextReplyAsync(null).ConfigureAwait(false)).ConfigureAwait(false);
        }
        await output.FlushAsync().ConfigureAwait(false);
    }
}
