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
    /// <summary>Returns the actor to tell this node's <see cref="RegisterBroker"/> once its doors are bound.</summary>
    public static IActorRef Start(ActorSystem system, BrokerSettings settings, RoutingTable routes, IActorRef topics, IActorRef groups, BrokerCore core)
    {
        system.ActorOf(ReplicaServer.Props(routes), ReplicaServer.Name);
        system.ActorOf(ClusterSingletonManager.Props(ControllerActor.Props(settings), PoisonPill.Instance,
            ClusterSingletonManagerSettings.Create(system).WithSingletonName("controller")), "controller");
        var controller = system.ActorOf(ClusterSingletonProxy.Props("/user/controller",
            ClusterSingletonProxySettings.Create(system).WithSingletonName("controller")), "controller-proxy");
        var watcher = system.ActorOf(MetadataWatcher.Props(settings.Cluster, routes, topics, groups, controller, Math.Max(settings.DefaultFetchMaxBytes, 1 << 20)), "metadata-watcher");
        topics.Tell(new UseTopicAuthority(system.ActorOf(TopicAuthority.Props(core, routes, controller, settings), "topic-authority")));
        return watcher;
    }
}
