using Akka.Actor;
using Akka.Cluster.Tools.Singleton;
using Golog.Core;
using Golog.Core.Replication;

namespace Golog.Cluster;

/// <summary>
/// Starts a node's part of the cluster next to its core: the controller singleton (run by whichever node is oldest)
/// and its proxy, the metadata watcher, the replica server for followers elsewhere, and the topic authority the topic
/// manager hands topic changes to.
/// </summary>
public static class ClusterRuntime
{
    /// <summary>
    /// The most a follower asks for per fetch (a larger batch still comes whole). Below the 1 MiB large-object
    /// threshold the broker runs with, and small enough that Akka.Remote's frame decoder grows its buffer little:
    /// measured with benchmarks/cluster.sh, 256 KiB cost the followers and the leader about 10% less CPU per
    /// replicated message than 1 MiB, at the same throughput.
    /// </summary>
    private const int ReplicaFetchMaxBytes = 256 * 1024;

    /// <summary>Returns the actor to tell this node's <see cref="RegisterBroker"/> once its doors are bound.</summary>
    public static IActorRef Start(ActorSystem system, BrokerSettings settings, RoutingTable routes, IActorRef topics, IActorRef groups, BrokerCore core)
    {
        system.ActorOf(ReplicaServer.Props(routes), ReplicaServer.Name);
        system.ActorOf(ClusterSingletonManager.Props(ControllerActor.Props(settings), PoisonPill.Instance,
            ClusterSingletonManagerSettings.Create(system).WithSingletonName("controller")), "controller");
        var controller = system.ActorOf(ClusterSingletonProxy.Props("/user/controller",
            ClusterSingletonProxySettings.Create(system).WithSingletonName("controller")), "controller-proxy");
        var watcher = system.ActorOf(MetadataWatcher.Props(settings.Cluster, routes, topics, groups, controller, ReplicaFetchMaxBytes), "metadata-watcher");
        topics.Tell(new UseTopicAuthority(system.ActorOf(TopicAuthority.Props(core, routes, controller, settings), "topic-authority")));
        return watcher;
    }
}
