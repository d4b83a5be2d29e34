using Akka.Actor;

namespace Golog.Core;

/// <summary>An actor of the core: takes <see cref="CoreRequest"/>s by command type and answers with <see cref="CoreReply"/>s.</summary>
public abstract class CoreActor : ReceiveActor
{
    /// <summary>Handles requests whose command is a <typeparamref name="T"/>, with their correlation number.</summary>
    protected void ReceiveCommand<T>(Action<long, T> handler) where T : ICoreCommand =>
        Receive<CoreRequest>(r => r.Command is T, r => handler(r.Correlation, (T)r.Command));

    protected static void Answer(IActorRef to, long correlation, ICoreResult result) => to.Tell(new CoreReply(correlation, result));

    protected static void Fail(IActorRef to, long correlation, BrokerError error) => to.Tell(new CoreReply(correlation, new Failed(error)));

    /// <summary>How long a partition or group may take to flush and close (at shutdown, or when its topic is deleted).</summary>
    protected static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Asks every one of <paramref name="actors"/> to close for shutdown: clean only if all closed cleanly in time. One
    /// that did not answer in time may not have flushed, so the next start must recover: not clean.
    /// </summary>
    protected static async Task<Closed> CloseEachAsync(IEnumerable<IActorRef> actors)
    {
        try
        {
            var results = await Task.WhenAll(actors.Select(a => a.Ask<Closed>(CloseForShutdown.Instance, CloseTimeout)));
            return new Closed(results.All(r => r.Clean), [.. results.SelectMany(r => r.Unrecovered ?? [])]);
        }
        catch (Exception e) when (e is AskTimeoutException or TaskCanceledException)
        {
            Serilog.Log.Error(e, "A partition or group did not close within {Timeout}", CloseTimeout);
            return new Closed(false);
        }
    }
}
