using Akka.Actor;
using Golog.Core;
using Golog.Storage;

namespace Golog.Cluster;

/// <summary>
/// Where a cluster node's topic manager sends what creates or grows topics (create_topic, create_partitions, a
/// first produce or metadata request to an unknown topic): it asks the controller, waits until this node holds the
/// new partitions and knows their leaders, then answers, or hands the produce or metadata request back to the core,
/// which routes it to the leader (or answers not_leader with its address).
/// </summary>
public sealed class TopicAuthority : ReceiveActor
{
    private static readonly TimeSpan ControllerTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan ArrivalTimeout = TimeSpan.FromSeconds(5);

    private readonly BrokerCore _core;
    private readonly RoutingTable _routes;
    private readonly IActorRef _controller;
    private readonly BrokerSettings _settings;

    public TopicAuthority(BrokerCore core, RoutingTable routes, IActorRef controller, BrokerSettings settings)
    {
        _core = core;
        _routes = routes;
        _controller = controller;
        _settings = settings;
        Receive<CoreRequest>(r => _ = HandleAsync(r, Sender));
    }

    public static Props Props(BrokerCore core, RoutingTable routes, IActorRef controller, BrokerSettings settings) =>
        Akka.Actor.Props.Create(() => new TopicAuthority(core, routes, controller, settings));

    private async Task HandleAsync(CoreRequest request, IActorRef replyTo)
    {
        long id = request.Correlation;
        try
        {
            switch (request.Command)
            {
                case CreateTopicCommand c:
                    if (await AskAsync(new CreateTopicRequest(c.Topic, c.Partitions, c.ReplicationFactor, c.MinInsyncReplicas), c.Topic, c.Partitions) is { } createError)
                        replyTo.Tell(new CoreReply(id, new Failed(createError)));
                    else replyTo.Tell(new CoreReply(id, new TopicCreated(c.Topic, c.Partitions)));
                    break;
                case CreatePartitionsCommand g:
                    if (await AskAsync(new GrowTopicRequest(g.Topic, g.Partitions), g.Topic, g.Partitions) is { } growError)
                        replyTo.Tell(new CoreReply(id, new Failed(growError)));
                    else replyTo.Tell(new CoreReply(id, new PartitionsCreated(g.Topic, g.Partitions)));
                    break;
                case DeleteTopicCommand d:
                    replyTo.Tell(new CoreReply(id, new Failed(new BrokerError(BrokerErrorCode.InvalidRequest,
                        $"topic \"{d.Topic}\" was not deleted: deleting topics is not supported on a cluster yet (only on a single node)"))));
                    break;
                case ProduceCommand p:
                    int count = Math.Max((p.Partition ?? -1) + 1, _settings.DefaultPartitions);
                    if (await AskAsync(new CreateTopicRequest(p.Topic, count, null, null), p.Topic, count) is { } produceError)
                        replyTo.Tell(new CoreReply(id, new Failed(produceError)));
                    else _core.Send(id, p, replyTo);
                    break;
                case MetadataQuery { Topic: { } topic } m:
                    if (await AskAsync(new CreateTopicRequest(topic, _settings.DefaultPartitions, null, null), topic, _settings.DefaultPartitions) is { } metadataError)
                        replyTo.Tell(new CoreReply(id, new Failed(metadataError)));
                    else _core.Send(id, m with { CreateIfMissing = false }, replyTo);
                    break;
                default:
                    replyTo.Tell(new CoreReply(id, new Failed(new BrokerError(BrokerErrorCode.InvalidRequest, $"{request.Command.GetType().Name} is not a topic change"))));
                    break;
            }
        }
        catch (Exception e) when (e is AskTimeoutException or TaskCanceledException)
        {
            replyTo.Tell(new CoreReply(id, new Failed(new BrokerError(BrokerErrorCode.NotEnoughReplicas,
                "the cluster's controller did not answer in time (is a majority of nodes up?); retry"))));
        }
    }

    /// <summary>Asks the controller; once granted, waits (bounded) until this node holds the partitions and knows their leaders.</summary>
    private async Task<BrokerError?> AskAsync(object change, string topic, int partitions)
    {
        var reply = await _controller.Ask<ControllerReply>(change, ControllerTimeout);
        if (reply.Error is { } error) return error;
        var deadline = DateTime.UtcNow + ArrivalTimeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_routes.TryGet(topic, out var route) && route.Partitions.Count >= partitions
                && Enumerable.Range(0, partitions).All(p => _routes.Cluster.LeadershipOf(new TopicPartition(topic, p)).Replicas.Count > 0))
                return null;
            await Task.Delay(10);
        }
        return new BrokerError(BrokerErrorCode.NotEnoughReplicas, $"topic \"{topic}\" was created, but its metadata has not reached this node yet; retry");
    }
}
