using Golog.Client;

namespace Golog.Perf;

/// <summary>
/// How the JSON workloads reach a cluster, or one broker, from the node --broker names: through
/// <see cref="ClusterClient"/>, which sends each request to its partition's leader and follows a failover (metadata,
/// retries with backoff, a request timeout for a node that stops answering). Lost and regained brokers are said on
/// stderr, since they explain a dip in the progress lines.
/// </summary>
internal static class PerfCluster
{
    /// <param name="idempotent">
    /// Produce as an idempotent producer, so a batch retried after a failover is stored once: only with at most 5
    /// batches in flight per partition, as many as the broker remembers per producer.
    /// </param>
    public static Task<ClusterClient> ConnectAsync(PerfOptions o, bool idempotent, CancellationToken stop) =>
        ClusterClient.ConnectAsync([o.Broker], new ClusterClientOptions
        {
            Idempotent = idempotent,
            ConnectionLost = (broker, e) => Console.Error.WriteLine($"golog-perf: lost broker {broker} ({e.Message}); following the leaders"),
            Reconnected = broker => Console.Error.WriteLine($"golog-perf: connected to broker {broker}"),
        }, stop);

    /// <summary>Batches a producer may have in flight per partition for the broker to recognise a retried one.</summary>
    public const int MaxIdempotentInFlight = 5;
}
