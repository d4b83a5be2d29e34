using Golog.Storage;

namespace Golog.Core;

/// <summary>
/// The rules for bringing topics and partitions into being and out of it: names, partition counts, the topic limit,
/// auto-creation on produce, explicit growth and deletion. Plain and single-threaded (the topic manager owns it); it
/// decides, the actor spawns. An existing topic never grows implicitly (Kafka's rule): a typo in a partition number
/// must be refused, not create a hundred partitions.
/// </summary>
public sealed class TopicLifecycle(BrokerSettings settings)
{
    /// <summary>Why create_topic must be refused; null when it may go ahead.</summary>
    public BrokerError? CheckCreate(string topic, int partitions, RoutingTable routes, bool closed)
    {
        if (!Names.IsValid(topic)) return BrokerError.InvalidName("topic", topic);
        if (closed) return BrokerError.ShuttingDown;
        if (routes.TryGet(topic, out var existing))
            return new BrokerError(BrokerErrorCode.TopicAlreadyExists, $"topic \"{topic}\" already exists with {existing.Partitions.Count} partitions");
        if (partitions < 1 || partitions > settings.MaxPartitionsPerTopic) // 0 partitions: round robin would divide by zero
            return new BrokerError(BrokerErrorCode.InvalidRequest, $"a topic has 1 to {settings.MaxPartitionsPerTopic} partitions");
        return AtTopicLimit(routes) ? TooManyTopics(topic, routes) : null;
    }

    /// <summary>Why growing <paramref name="topic"/> to <paramref name="partitions"/> must be refused; null when it may go ahead.</summary>
    public BrokerError? CheckGrow(string topic, int partitions, RoutingTable routes, bool closed)
    {
        if (!Names.IsValid(topic)) return BrokerError.InvalidName("topic", topic);
        if (closed) return BrokerError.ShuttingDown;
        if (!routes.TryGet(topic, out var route)) return BrokerError.UnknownPartition(topic, null);
        int existing = route.Partitions.Count;
        if (partitions <= existing)
            return new BrokerError(BrokerErrorCode.InvalidPartitions,
                $"topic \"{topic}\" already has {existing} partitions; partitions can only be added, so ask for more than {existing}");
        if (partitions > settings.MaxPartitionsPerTopic)
            return new BrokerError(BrokerErrorCode.InvalidPartitions, $"a topic has at most {settings.MaxPartitionsPerTopic} partitions (golog.topics.max-partitions-per-topic)");
        return null;
    }

    /// <summary>Why deleting <paramref name="topic"/> must be refused; null when it may go ahead.</summary>
    public static BrokerError? CheckDelete(string topic, RoutingTable routes, bool closed)
    {
        if (!Names.IsValid(topic)) return BrokerError.InvalidName("topic", topic);
        if (closed) return BrokerError.ShuttingDown;
        return routes.TryGet(topic, out _) ? null : BrokerError.UnknownPartition(topic, null);
    }

    /// <summary>
    /// How many partitions <paramref name="topic"/> must have for a produce to <paramref name="partition"/> (null: any)
    /// that found no route: the count to create the topic with, or why it cannot be served. Only a topic that does not
    /// exist is created (with enough partitions for the one asked); an existing one is never grown here.
    /// </summary>
    public (int Partitions, BrokerError? Error) PartitionsForProduce(string topic, int? partition, RoutingTable routes, bool closed)
    {
        if (!Names.IsValid(topic)) return (0, BrokerError.InvalidName("topic", topic));
        // closed partitions refuse by themselves, but auto-creation would open new, never-closed ones after the close
        if (closed) return (0, BrokerError.ShuttingDown);
        // the JSON parser rejects negative partitions, but other doors may not
        if (partition < 0) return (0, BrokerError.UnknownPartition(topic, partition));
        if (routes.TryGet(topic, out var route))
        {
            int existing = route.Partitions.Count;
            return partition is { } p && p >= existing ? (0, BrokerError.NoSuchPartition(topic, p, existing)) : (existing, null);
        }
        if (!settings.AutoCreateTopics) return (0, BrokerError.UnknownPartition(topic, partition));
        if (AtTopicLimit(routes)) return (0, TooManyTopics(topic, routes));
        // long: partition int.MaxValue + 1 would overflow to a negative count
        long wanted = Math.Max((partition ?? -1) + 1L, settings.DefaultPartitions);
        if (wanted > settings.MaxPartitionsPerTopic)
            return (0, new BrokerError(BrokerErrorCode.UnknownTopicOrPartition,
                $"partition {partition} does not exist and auto-creation stops at {settings.MaxPartitionsPerTopic} partitions per topic"));
        return ((int)wanted, null);
    }

    // Topics found on disk at start always load, so the count may already be past the limit: then nothing new is created.
    private bool AtTopicLimit(RoutingTable routes) => routes.TopicCount >= settings.MaxTopics;

    private BrokerError TooManyTopics(string topic, RoutingTable routes) => new(BrokerErrorCode.TooManyTopics,
        $"cannot create topic \"{topic}\": the broker already has {routes.TopicCount} topics (golog.topics.max = {settings.MaxTopics})");
}
