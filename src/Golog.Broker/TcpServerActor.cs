using System.Net;
using Akka.Actor;
using Akka.Event;
using Akka.IO;

namespace Golog.Broker;

/// <summary>
/// The Akka.IO TCP listener: binds, hands each accepted socket to a new <see cref="ConnectionActor"/>, unbinds at
/// shutdown. Past golog.connections.max live connections, a new socket is handed to a <see cref="RefusedConnectionActor"/>.
/// </summary>
public sealed class TcpServerActor : ReceiveActor
{
    public sealed record Unbind { public static readonly Unbind Instance = new(); }

    private readonly BrokerSettings _settings;
    private readonly IActorRef _topics;
    private readonly TaskCompletionSource<IPEndPoint> _bound;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private IActorRef? _listener;
    private long _connections;
    private int _live;

    public TcpServerActor(BrokerSettings settings, IActorRef topics, TaskCompletionSource<IPEndPoint> bound)
    {
        _settings = settings;
        _topics = topics;
        _bound = bound;
        Receive<Tcp.Bound>(b =>
        {
            _listener = Sender;
            var endpoint = (IPEndPoint)b.LocalAddress;
            _log.Info("Golog broker listening on {0}:{1}", _settings.Host, endpoint.Port);
            _bound.TrySetResult(endpoint);
        });
        Receive<Tcp.CommandFailed>(f => f.Cmd is Tcp.Bind, f =>
        {
            var error = new IOException($"cannot listen on {_settings.Host}:{_settings.Port}: {f.CauseString}");
            _bound.TrySetException(error);
            Context.Stop(Self);
        });
        Receive<Tcp.Connected>(c =>
        {
            var name = $"client-{++_connections}";
            if (_live >= _settings.MaxConnections)
            {
                var refusal = Context.ActorOf(RefusedConnectionActor.Props(Sender, _settings.MaxConnections), name);
                Sender.Tell(new Tcp.Register(refusal, keepOpenOnPeerClosed: false, useResumeWriting: true));
                _log.Warning("Refused client {0} from {1}: {2} connections open (golog.connections.max)", name, c.RemoteAddress, _live);
                return;
            }
            var handler = Context.ActorOf(ConnectionActor.Props(Sender, c.RemoteAddress, _topics, _settings), name);
            Context.Watch(handler);
            _live++;
            Sender.Tell(new Tcp.Register(handler, keepOpenOnPeerClosed: false, useResumeWriting: true));
            // Debug, as in Kafka: at Info a connection flood writes two console lines per client; refusals and
            // timeouts are still logged at Warning/Info.
            _log.Debug("Client {0} connected from {1}", name, c.RemoteAddress);
        });
        Receive<Terminated>(_ => _live--);
        Receive<Unbind>(_ =>
        {
            if (_listener is null) { Sender.Tell(Tcp.Unbound.Instance); return; }
            _listener.Tell(Tcp.Unbind.Instance, Sender);
        });
    }

    public static Props Props(BrokerSettings settings, IActorRef topics, TaskCompletionSource<IPEndPoint> bound) =>
        Akka.Actor.Props.Create(() => new TcpServerActor(settings, topics, bound));

    protected override void PreStart()
    {
        var address = _settings.Host == "localhost" ? IPAddress.Loopback
            : IPAddress.TryParse(_settings.Host, out var ip) ? ip
            : System.Net.Dns.GetHostAddresses(_settings.Host).First();
        Context.System.Tcp().Tell(new Tcp.Bind(Self, new IPEndPoint(address, _settings.Port), backlog: 1024));
    }
}
