using Akka.Actor;
using Akka.IO;

namespace Golog.Broker.Doors;

/// <summary>
/// The handler of a socket accepted past golog.connections.max, to which the listener has written the door's refusal
/// (for the JSON door one framed error line, too_many_connections, id null, since the client has asked nothing yet)
/// and which it has closed. Nothing the client sends is read; a client that does not take the refusal is cut off.
/// </summary>
public sealed class RefusedConnectionActor : ReceiveActor, IWithTimers
{
    private sealed class GiveUp { public static readonly GiveUp Instance = new(); }

    /// <summary>A client that does not even take the refusal is cut off after this long.</summary>
    private static readonly TimeSpan CloseWithin = TimeSpan.FromSeconds(10);

    private readonly IActorRef _connection;

    public ITimerScheduler Timers { get; set; } = null!;

    public RefusedConnectionActor(IActorRef connection)
    {
        _connection = connection;
        Receive<Tcp.ConnectionClosed>(_ => Context.Stop(Self));
        Receive<Terminated>(_ => Context.Stop(Self));
        Receive<GiveUp>(_ => _connection.Tell(Tcp.Abort.Instance));
        ReceiveAny(_ => { }); // Received data and write failures: the connection is going away anyway
    }

    public static Props Props(IActorRef connection) => Akka.Actor.Props.Create(() => new RefusedConnectionActor(connection));

    protected override void PreStart()
    {
        Context.Watch(_connection);
        Timers.StartSingleTimer(GiveUp.Instance, GiveUp.Instance, CloseWithin); // a timer, not a receive timeout: data it sends must not keep it alive
    }
}
