namespace Golog.Client;

/// <summary>
/// How <see cref="ClusterClient"/> retries a request a leader change or a lost connection failed: after
/// <see cref="FirstBackoff"/>, doubling up to <see cref="MaxBackoff"/>, at most <see cref="MaxAttempts"/> attempts
/// in all and never past <see cref="MaxTotal"/> from the first; then the last failure is thrown.
/// </summary>
public sealed record RetryPolicy(int MaxAttempts, TimeSpan FirstBackoff, TimeSpan MaxBackoff, TimeSpan MaxTotal)
{
    /// <summary>
    /// 40 attempts over at most 30 s, at most 1 s apart: a failover whose controller went with the leader takes about
    /// 7 s, plus the metadata refresh (Kafka producers retry for delivery.timeout.ms, 2 minutes by default).
    /// </summary>
    public static readonly RetryPolicy Default = new(40, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30));

    /// <summary>The wait before retry number <paramref name="retry"/> (0 for the first retry).</summary>
    public TimeSpan Backoff(int retry) =>
        TimeSpan.FromTicks(Math.Min(MaxBackoff.Ticks, FirstBackoff.Ticks * (1L << Math.Min(retry, 30))));

    /// <summary>Whether another attempt may follow attempt number <paramref name="attempt"/> (from 1), <paramref name="elapsed"/> after the first began.</summary>
    public bool AllowsAnother(int attempt, TimeSpan elapsed) => attempt < MaxAttempts && elapsed + Backoff(attempt - 1) <= MaxTotal;

    /// <summary>A fresh budget for one call: every attempt of the call's steps (metadata, producer id, the request) draws on it.</summary>
    internal RetryBudget Start() => new(this);
}

/// <summary>What one call has left of its <see cref="RetryPolicy"/>: attempts made and time since the first.</summary>
internal sealed class RetryBudget(RetryPolicy policy)
{
    private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();
    private int _attempts;

    /// <summary>Counts a failed attempt; the wait before the next, or null when the budget is spent.</summary>
    public TimeSpan? Failed()
    {
        _attempts++;
        return policy.AllowsAnother(_attempts, _clock.Elapsed) ? policy.Backoff(_attempts - 1) : null;
    }
}
