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
}
