using Golog.Protocol;

namespace Golog.Client;

/// <summary>
/// Riding out a broker restart: wait, try to connect again, and wait twice as long after each failure (up to a cap),
/// so a console that lost its broker neither gives up nor hammers a broker that is starting.
/// </summary>
public static class Reconnect
{
    public static readonly TimeSpan FirstDelay = TimeSpan.FromMilliseconds(200);
    public static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The broker cannot be reached, the connection broke, or the broker is shutting down: a fresh connection
    /// later may succeed.
    /// </summary>
    public static bool IsBrokerUnavailable(Exception e) =>
        e is BrokerUnavailableException or GologException { Code: ErrorCode.BrokerShuttingDown };

    /// <summary>
    /// A cluster is moving a partition's leader or a group's coordinator (and a client's own retries ran out before it
    /// settled): asking again later finds where it went.
    /// </summary>
    public static bool IsMoving(Exception e) =>
        e is GologException { Code: ErrorCode.NotLeader or ErrorCode.NotCoordinator or ErrorCode.CoordinatorLoading };

    /// <summary>
    /// Runs <paramref name="attempt"/> after <see cref="FirstDelay"/>, and again after doubling delays up to
    /// <see cref="MaxDelay"/> for as long as it fails with the broker unavailable, a leader or coordinator moving, or a
    /// timeout of its own. True once
    /// an attempt succeeded; false when <paramref name="stop"/> came first. Any other failure is thrown.
    /// </summary>
    /// <remarks>The attempt disposes whatever it opened before failing; only it knows what that was.</remarks>
    public static async Task<bool> WithBackoffAsync(Func<Task> attempt, CancellationToken stop)
    {
        var delay = FirstDelay;
        while (true)
        {
            try
            {
                await Task.Delay(delay, stop).ConfigureAwait(false);
                await attempt().ConfigureAwait(false);
                return true;
            }
            catch (Exception e) when (IsBrokerUnavailable(e) || IsMoving(e) || e is OperationCanceledException)
            {
                if (stop.IsCancellationRequested) return false;
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxDelay.Ticks));
            }
        }
    }
}
