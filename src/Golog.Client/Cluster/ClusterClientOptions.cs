using Golog.Protocol;

namespace Golog.Client;

/// <summary>How a <see cref="ClusterClient"/> produces and retries, and whom it tells when it loses and regains a broker.</summary>
public sealed record ClusterClientOptions
{
    public RetryPolicy Retry { get; init; } = RetryPolicy.Default;

    /// <summary>Produce as an idempotent producer (the default): a retried batch is never stored twice.</summary>
    public bool Idempotent { get; init; } = true;

    public AckLevel Acks { get; init; } = AckLevel.All;

    /// <summary>Called once when a broker is lost (the connection broke, or none answers), before retrying; from any thread.</summary>
    public Action<BrokerAddress, Exception>? ConnectionLost { get; init; }

    /// <summary>Called once a connection succeeds again after <see cref="ConnectionLost"/>; from any thread.</summary>
    public Action<BrokerAddress>? Reconnected { get; init; }
}
