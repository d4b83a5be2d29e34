using System.Net;
using Akka.Actor;
using Golog.Core;

namespace Golog.Broker.Doors;

/// <summary>
/// A front door of the broker: where it listens, and how its connections speak. Adding a door is a codec, a
/// configuration block and one of these registered in <see cref="BrokerHost"/>; the listener, the connection
/// actor, the budget and the timeouts are shared.
/// </summary>
public sealed class Door(string name, string host, int port, Func<IActorRef, EndPoint, Props> connectionProps, Func<BrokerError, byte[]> refusal)
{
    /// <summary>The door's key in the ports file and in log lines ("json").</summary>
    public string Name { get; } = name;
    public string Host { get; } = host;
    public int Port { get; } = port;

    public Props ConnectionProps(IActorRef connection, EndPoint remote) => connectionProps(connection, remote);

    /// <summary>What a client accepted past the connection limit is told before it is closed.</summary>
    public byte[] Refusal(BrokerError error) => refusal(error);

    /// <summary>A door whose connections decode with a fresh <typeparamref name="TContext"/> codec each.</summary>
    public static Door Create<TContext>(string name, string host, int port, BrokerCore core, BrokerSettings settings,
        Func<IWireCodec<TContext>> codec) =>
        new(name, host, port,
            (connection, remote) => ConnectionActor<TContext>.Props(name, connection, remote, core, codec(), settings),
            error => codec().EncodeRefusal(error).ToArray());
}
