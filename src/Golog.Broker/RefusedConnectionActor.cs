using System.Buffers;
using Akka.Actor;
using Akka.IO;
using Golog.Protocol;

namespace Golog.Broker;

/// <summary>
/// A socket accepted past golog.connections.max: it gets one framed error line (too_many_connections, id null,
/// since the client has asked nothing yet) and is closed once the line is written. Nothing it sends is read.
/// </summary>
public sealed class RefusedConnectionActor : ReceiveActor, IWithTimers
{
    private sealed class GiveUp { public static readonly GiveUp Instance = new(); }

    /// <summary>A client that does not even take the one line is cut off after this long.</summary>
    private static readonly TimeSpan CloseWithin = TimeSpan.FromSeconds(10);

    private readonly IActorRef _connection;
    private readonly int _limit;

    public ITimerScheduler Timers { get; set; } = null!;

    public RefusedConnectionActor(IActorRef connection, int limit)
    {
        _connection = connection;
        _limit = limit;
        Receive<Tcp.ConnectionClosed>(_ => Context.Stop(Self));
        Receive<Terminated>(_ => Context.Stop(Self));
        Receive<GiveUp>(_ => _connection.Tell(Tcp.Abort.Instance));
        ReceiveAny(_ => { }); // Received data and write failures: the connection is going away anyway
    }

    public static Props Props(IActorRef connection, int limit) =>
        Akka.Actor.Props.Create(() => new RefusedConnectionActor(connection, limit));

    protected override void PreStart()
    {
        Context.Watch(_connection);
        Timers.StartSingleTimer(GiveUp.Instance, GiveUp.Instance, CloseWithin); // a timer, not a receive timeout: data it sends must not keep it alive
        var line = new ArrayBufferWriter<byte>(256);
        new FramedReplyWriter(line).Error(null, new ProtocolError(ErrorCode.TooManyConnections,
            $"the broker already serves {_limit} connections (golog.connections.max); try again later"));
        _connection.Tell(Tcp.Write.Create(ByteString.CopyFrom(line.WrittenSpan.ToArray())));
        _connection.Tell(Tcp.Close.Instance); // Close flushes pending writes first
    }
}
