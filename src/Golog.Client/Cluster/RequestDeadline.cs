namespace Golog.Client;

/// <summary>
/// A request that must be answered in time: past the limit the node counts as lost (a SIGSTOPped or frozen process
/// keeps its sockets and accepts connections, but answers nothing), and its connection is given up so that every
/// request waiting on it fails at once and is retried elsewhere, instead of each waiting out its own limit.
/// </summary>
internal static class RequestDeadline
{
    public static async Task<T> RunAsync<T>(GologClient connection, TimeSpan limit, Func<GologClient, CancellationToken, Task<T>> call,
        CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(limit);
        try
        {
            return await call(connection, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            string why = $"broker at {connection.Broker} did not answer within {limit.TotalSeconds:0.#} s";
            connection.Abandon(why);
            throw new BrokerUnavailableException(connection.Broker, why);
        }
    }
}
