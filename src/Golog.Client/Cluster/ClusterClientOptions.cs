using Golog.Protocol;

namespace Golog.Client;

/// <summary>How a <see cref="ClusterClient"/> produces and retries, and whom it tells when it loses and regains a broker.</summary>
public sealed record ClusterClientOptions
{
    public RetryPolicy Retry { get; init; } = RetryPolicy.Default;

    /// <summary>Produce as an idempotent producer (the default): a retried batch is never stored twice.</summary>
    public bool Idempotent { get; init; } = true;

    public AckLevel Acks { get; init; } = AckLevel.All;

    /// <summary>
    /// How long a request may go unanswered before its node counts as lost (a paused or frozen process accepts
    /// connections but answers nothing): the connection is closed, metadata asked of another node and the request
    /// retried there. A fetch's long poll (max_wait_ms) and a join's wait for the rebalance come on top. 10 s by
    /// default: far above a healthy answer (milliseconds, an fsync stall included) and above the cluster's failure
    /// timeout plus an election, so the retry finds a new leader, yet a third of <see cref="RetryPolicy.Default"/>'s
    /// 30 s, leaving room to retry (Kafka's request.timeout.ms, 30 s, sits inside a 2 minute delivery timeout).
    /// </summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Called once when a broker is lost (the connection broke, or none answers), before retrying; from any thread.</summary>
    public Action<BrokerAddress, Exception>? ConnectionLost { get; init; }

    /// <summary>Called once a connection succeeds again after <see cref="ConnectionLost"/>; from any thread.</summary>
    public Action<BrokerAddress>? Reconnected { get; init; }
}
