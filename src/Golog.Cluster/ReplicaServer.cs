using Akka.Actor;
using Golog.Core;
using Golog.Core.Replication;

namespace Golog.Cluster;

/// <summary>
/// Every node's endpoint for its followers elsewhere (at <see cref="Path"/>): hands a replica fetch to the partition
/// actor, which answers the fetcher directly over Akka.Remote.
/// </summary>
public sealed class ReplicaServer : ReceiveActor
{
    public const string Name = "replica-server";
    public const string Path = "/user/" + Name;

    public ReplicaServer(RoutingTable routes)
    {
        Receive<ReplicaFetch>(f =>
        {
            if (routes.TryGetPartition(f.Topic, f.Partition, out var route)) route.Actor.Forward(f);
            else Sender.Tell(new ReplicaRefused($"this node has no partition {f.Topic}-{f.Partition} yet"));
        });
        Receive<ReplicaProgress>(p =>
        {
            if (routes.TryGetPartition(p.Topic, p.Partition, out var route)) route.Actor.Forward(p);
        });
    }

    public static Props Props(RoutingTable routes) => Akka.Actor.Props.Create(() => new ReplicaServer(routes));
}
