using Golog.Client;

namespace Golog.Consumer;

/// <summary>
/// How both consume loops reach a cluster, or one broker, from the one node --broker names: a
/// <see cref="ClusterClient"/> sends each fetch to its partition's leader and each group request to the group's
/// coordinator, following them when they move. Its own retries are short: a loop that runs out of them says on
/// stderr that it is reconnecting and goes on trying with backoff for as long as it takes.
/// </summary>
internal static class ConsumerCluster
{
    /// <summary>A leader's move is followed at once (the hint); a failover that takes longer is the loop's to ride out.</summary>
    private static readonly ClusterClientOptions Options = new()
    {
        Retry = new RetryPolicy(MaxAttempts: 5, FirstBackoff: TimeSpan.FromMilliseconds(100), MaxBackoff: TimeSpan.FromSeconds(1),
            MaxTotal: TimeSpan.FromSeconds(3)),
        Idempotent = false, // it produces nothing
    };

    /// <exception cref="BrokerUnavailableException">The broker cannot be reached.</exception>
    public static Task<ClusterClient> ConnectAsync(BrokerAddress broker, CancellationToken stop) => ClusterClient.ConnectAsync([broker], Options, stop);

    /// <summary>A failure that a later attempt may not have: the broker or leader lost, a leader or coordinator moving.</summary>
    public static bool IsTransient(Exception e) => Reconnect.IsBrokerUnavailable(e) || Reconnect.IsMoving(e);
}
