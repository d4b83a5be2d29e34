namespace Golog.Consumer;

/// <summary>How both consume loops size their fetches and how long they wait for replies.</summary>
internal sealed class FetchLimits(TimeSpan pollInterval)
{
    /// <summary>Records one fetch asks for: what is printed and then committed as one batch.</summary>
    public const int MaxMessages = 1000;

    /// <summary>A fetch is answered within max_wait_ms; this much longer means the broker is stuck, not idle.</summary>
    public static readonly TimeSpan ReplyGrace = TimeSpan.FromSeconds(30);

    /// <summary>The long poll's max_wait_ms: the poll interval, clamped so that <see cref="ReplyTimeout"/> fits an int of milliseconds.</summary>
    public int MaxWaitMs { get; } = (int)Math.Min(int.MaxValue - ReplyGrace.TotalMilliseconds, Math.Ceiling(pollInterval.TotalMilliseconds));

    /// <summary>How long a reply may take on a connection with a long poll in front of it.</summary>
    public TimeSpan ReplyTimeout => TimeSpan.FromMilliseconds(MaxWaitMs) + ReplyGrace;
}
