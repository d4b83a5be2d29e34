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
internal sealed class BrokerLink<TConnection>(BrokerAddress broker, Func<BrokerAddress, CancellationToken, Task<TConnection>> connect, TextWriter output,
    TextWriter errors) : IAsyncDisposable where TConnection : class, IAsyncDisposable
{
    private TConnection? _connection;
    private readonly BrokerAddress _first = broker; // --broker
    private BrokerAddress _broker = broker; // another node once a cluster says it leads (FollowAsync)

    public TConnection Connection => _connection ?? throw new InvalidOperationException("not connected");

    /// <summary>The first connection: failing it is an error at once (the broker is not running, or the address is wrong).</summary>
    public async Task ConnectAsync() => _connection = await connect(_broker, CancellationToken.None).ConfigureAwait(false);

    /// <summary>Replaces the broken connection. Throws <see cref="BrokerUnavailableException"/> after <see cref="BrokerLink.GiveUpAfter"/>.</summary>
    public async Task ReconnectAsync(string whatHappensNext)
    {
        await ErrorAsync($"broker unavailable, reconnecting... ({whatHappensNext})").ConfigureAwait(false);
        await ConnectAgainAsync().ConfigureAwait(false);
    }

    private async Task ConnectAgainAsync()
    {
        if (_connection is not null) await _connection.DisposeAsync().ConfigureAwait(false);
        _connection = null;
        using var giveUp = new CancellationTokenSource(BrokerLink.GiveUpAfter);
        // a leader followed in a cluster may be the node that went away: every other attempt goes to the node first
        // named (--broker), which names the new leader once there is one
        int attempt = 0;
        bool connected = await Reconnect.WithBackoffAsync(async () =>
        {
            var target = attempt++ % 2 == 0 ? _broker : _first;
            _connection = await connect(target, giveUp.Token).ConfigureAwait(false);
            _broker = target;
        }, giveUp.Token).ConfigureAwait(false);
        if (!connected)
            throw new BrokerUnavailableException(_broker, $"broker at {_broker} did not come back within {BrokerLink.GiveUpAfter.TotalMinutes:0} minutes");
        await ErrorAsync($"reconnected to broker at {_broker}").ConfigureAwait(false);
    }

    /// <summary>
    /// A cluster node answered not_leader: connects to the leader it named instead (<paramref name="leader"/>), or, while
    /// an election runs (no leader named), waits a moment and connects again to the same node, which knows the
    /// outcome by then. Connecting is retried as after a lost connection.
    /// </summary>
    public async Task FollowAsync(BrokerAddress? leader, string whatHappensNext)
    {
        if (leader is { } next && next != _broker)
        {
            await ErrorAsync($"{_broker} does not lead the partition: following the leader at {next} ({whatHappensNext})").ConfigureAwait(false);
            _broker = next;
        }
        else
        {
            await ErrorAsync($"{_broker}: the partition has no leader yet, asking again ({whatHappensNext})").ConfigureAwait(false);
            await Task.Delay(LeaderElectionWait).ConfigureAwait(false);
        }
        await ConnectAgainAsync().ConfigureAwait(false);
    }

    /// <summary>How long to wait for an election's outcome before asking again.</summary>
    private static readonly TimeSpan LeaderElectionWait = TimeSpan.FromMilliseconds(500);

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
