using System.Net;
using Akka.Actor;
using Akka.Event;
using Akka.IO;
using Golog.Core;

namespace Golog.Broker.Doors;

/// <summary>
/// One door's Akka.IO TCP listener: binds, hands each accepted socket to a new connection actor built by the door,
/// unbinds at shutdown. Past golog.connections.max live connections (counted per door), a new socket is handed to
/// a <see cref="RefusedConnectionActor"/> with the door's refusal. It binds only once the core is ready to serve
/// (<see cref="RoutingTable.Loaded"/>), so no client can see the broker before it knows the topics on disk.
/// </summary>
public sealed class TcpListenerActor : ReceiveActor
{
    public sealed record Unbind { public static readonly Unbind Instance = new(); }
    private sealed record CoreReady { public static readonly CoreReady Instance = new(); }

    private readonly Door _door;
    private readonly BrokerSettings _settings;
    private readonly TaskCompletionSource<IPEndPoint> _bound;
    private readonly Task _coreReady;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private IActorRef? _listener;
    private long _connections;
    private int _live;

    public TcpListenerActor(Door door, BrokerSettings settings, Task coreReady, TaskCompletionSource<IPEndPoint> bound)
    {
        _door = door;
        _settings = settings;
        _coreReady = coreReady;
        _bound = bound;
        Receive<CoreReady>(_ => Bind());
        Receive<Tcp.Bound>(b =>
        {
            _listener = Sender;
            var endpoint = (IPEndPoint)b.LocalAddress;
            _log.Info("Golog broker listening on {Host}:{Port} ({Door})", _door.Host, endpoint.Port, _door.Name);
            _bound.TrySetResult(endpoint);
        });
        Receive<Tcp.CommandFailed>(f => f.Cmd is Tcp.Bind, f =>
        {
            _bound.TrySetException(new IOException($"cannot listen on {_door.Host}:{_door.Port} ({_door.Name}): {f.CauseString}"));
            Context.Stop(Self);
        });
        Receive<Tcp.Connected>(OnConnected);
        Receive<Terminated>(_ => _live--);
        Receive<Unbind>(_ =>
        {
            if (_listener is null) { Sender.Tell(Tcp.Unbound.Instance); return; }
            _listener.Tell(Tcp.Unbind.Instance, Sender);
        });
    }

    public static Props Props(Door door, BrokerSettings settings, Task coreReady, TaskCompletionSource<IPEndPoint> bound) =>
        Akka.Actor.Props.Create(() => new TcpListenerActor(door, settings, coreReady, bound));

    protected override void PreStart() =>
        _coreReady.ContinueWith(_ => CoreReady.Instance, TaskContinuationOptions.ExecuteSynchronously).PipeTo(Self);

    private void Bind()
    {
        IPAddress address;
        try { address = DoorAddress.Resolve(_door.Name, _door.Host, _door.Port); }
        catch (IOException e)
        {
            // the start fails with the reason instead of waiting forever for a bind that is never asked for
            _bound.TrySetException(e);
            Context.Stop(Self);
            return;
        }
        Context.System.Tcp().Tell(new Tcp.Bind(Self, new IPEndPoint(address, _door.Port), backlog: 1024));
    }

    /// <summary>
    /// A connection actor that fails is stopped, which closes its socket, never restarted: a restart would number
    /// requests from 0 again while replies to the old numbers are still on their way.
    /// </summary>
    protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(_ => Directive.Stop);

    private void OnConnected(Tcp.Connected c)
    {
        var name = $"client-{++_connections}";
        if (_live >= _settings.MaxConnections)
        {
            var refusal = _door.Refusal(new BrokerError(BrokerErrorCode.TooManyConnections,
                $"the broker already serves {_settings.MaxConnections} connections (golog.connections.max); try again later"));
            var refused = Context.ActorOf(RefusedConnectionActor.Props(Sender), name);
            Sender.Tell(new Tcp.Register(refused, keepOpenOnPeerClosed: false, useResumeWriting: true));
            // told from here, after the Register: Akka orders messages per sender, and a write or close that reached
            // the connection before its registration would be lost (the client saw a reset instead of the line)
            Sender.Tell(Tcp.Write.Create(ByteString.FromBytes(refusal)));
            Sender.Tell(Tcp.Close.Instance); // Close flushes pending writes first
            _log.Warning("Refused client {Client} from {Remote}: {Live} connections open (golog.connections.max)", name, c.RemoteAddress, _live);
            return;
        }
        var handler = Context.ActorOf(_door.ConnectionProps(Sender, c.RemoteAddress), name);
        Context.Watch(handler);
        _live++;
        Sender.Tell(new Tcp.Register(handler, keepOpenOnPeerClosed: false, useResumeWriting: true));
        // Debug, as in Kafka: at Info a connection flood writes two console lines per client; refusals and
        // timeouts are still logged at Warning/Info.
        _log.Debug("Client {Client} connected from {Remote}", name, c.RemoteAddress);
    }
}
