using Golog.Client;

namespace Golog.Producer;

/// <summary>
/// The producer's connection to the broker, replaced when the broker goes away: reconnecting waits with backoff
/// (<see cref="Reconnect"/>, as the consumer does) and says so on stderr; after <see cref="GiveUpAfter"/> without a
/// broker it gives up, so a pipe into the producer does not hang forever.
/// </summary>
internal static class BrokerLink
{
    /// <summary>As Kafka's producer (delivery.timeout.ms): how long a message may wait for a broker.</summary>
    public static readonly TimeSpan GiveUpAfter = TimeSpan.FromMinutes(2);
}

/// <inheritdoc cref="BrokerLink"/>
internal sealed class BrokerLink<TConnection>(BrokerAddress broker, Func<CancellationToken, Task<TConnection>> connect, TextWriter output, TextWriter errors)
    : IAsyncDisposable where TConnection : class, IAsyncDisposable
{
    private TConnection? _connection;

    public TConnection Connection => _connection ?? throw new InvalidOperationException("not connected");

    /// <summary>The first connection: failing it is an error at once (the broker is not running, or the address is wrong).</summary>
    public async Task ConnectAsync() => _connection = await connect(CancellationToken.None).ConfigureAwait(false);

    /// <summary>Replaces the broken connection. Throws <see cref="BrokerUnavailableException"/> after <see cref="BrokerLink.GiveUpAfter"/>.</summary>
    public async Task ReconnectAsync(string whatHappensNext)
    {
        await ErrorAsync($"broker unavailable, reconnecting... ({whatHappensNext})").ConfigureAwait(false);
        if (_connection is not null) await _connection.DisposeAsync().ConfigureAwait(false);
        _connection = null;
        using var giveUp = new CancellationTokenSource(BrokerLink.GiveUpAfter);
        bool connected = await Reconnect.WithBackoffAsync(async () => _connection = await connect(giveUp.Token).ConfigureAwait(false), giveUp.Token)
            .ConfigureAwait(false);
        if (!connected)
            throw new BrokerUnavailableException(broker, $"broker at {broker} did not come back within {BrokerLink.GiveUpAfter.TotalMinutes:0} minutes");
        await ErrorAsync($"reconnected to broker at {broker}").ConfigureAwait(false);
    }

    /// <summary>A line on stderr, after what stdout holds so far: read together, the two keep the order things happened in.</summary>
    public async Task ErrorAsync(string line)
    {
        await output.FlushAsync().ConfigureAwait(false);
        await errors.WriteLineAsync(line).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        if (_connection is not null) await _connection.DisposeAsync().ConfigureAwait(false);
    }
}
