using Golog.Storage;

namespace Golog.Core;

/// <summary>
/// The rules for bringing topics and partitions into being: names, partition counts, the topic limit and
/// auto-creation on produce. Plain and single-threaded (the topic manager owns it); it decides, the actor spawns.
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

    /// <summary>
    /// How many partitions <paramref name="topic"/> must have for a produce to <paramref name="partition"/> (null: any)
    /// that found no route: the count to create or grow to, or why it cannot be served.
    /// </summary>
    public (int Partitions, BrokerError? Error) PartitionsForProduce(string topic, int? partition, RoutingTable routes, bool closed)
    {
        if (!Names.IsValid(topic)) return (0, BrokerError.InvalidName("topic", topic));
        // closed partitions refuse by themselves, but auto-creation would open new, never-closed ones after the close
        if (closed) return (0, BrokerError.ShuttingDown);
        // the JSON parser rejects negative partitions, but other doors may not
        if (partition < 0) return (0, BrokerError.UnknownPartition(topic, partition));
        int existing = routes.TryGet(topic, out var route) ? route.Partitions.Count : 0;
        if (existing > 0 && (partition is null || partition < existing)) return (existing, null);
        // long: partition int.MaxValue + 1 would overflow to a negative count
        long wanted = Math.Max((partition ?? -1) + 1L, existing > 0 ? existing : settings.DefaultPartitions);
        if (!settings.AutoCreateTopics) return (0, BrokerError.UnknownPartition(topic, partition));
        if (existing == 0 && AtTopicLimit(routes)) return (0, TooManyTopics(topic, routes));
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
