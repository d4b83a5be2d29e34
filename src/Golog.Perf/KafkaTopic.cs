using Confluent.Kafka;
using Confluent.Kafka.Admin;

namespace Golog.Perf;

/// <summary>The topic a Kafka run uses, through an admin client sharing the run's own client handle.</summary>
public static class KafkaTopic
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    /// <summary>Creates the topic with <paramref name="partitions"/>; an existing topic must have at least that many.</summary>
    public static async Task EnsureAsync(Handle handle, string topic, int partitions)
    {
        using var admin = new DependentAdminClientBuilder(handle).Build();
        try
        {
            await admin.CreateTopicsAsync([new TopicSpecification { Name = topic, NumPartitions = partitions, ReplicationFactor = 1 }]);
        }
        catch (CreateTopicsException e) when (e.Results.Single().Error.Code == ErrorCode.TopicAlreadyExists)
        {
            int existing = Partitions(handle, topic).Count;
            if (existing < partitions)
                throw new InvalidOperationException($"topic {topic} exists with {existing} partitions, fewer than --partitions {partitions}");
        }
    }

    /// <summary>The topic's partition ids, as the cluster's metadata lists them.</summary>
    public static IReadOnlyList<int> Partitions(Handle handle, string topic)
    {
        using var admin = new DependentAdminClientBuilder(handle).Build();
        var found = admin.GetMetadata(topic, Patience).Topics.SingleOrDefault(t => t.Topic == topic);
        if (found is null || found.Error.IsError || found.Partitions.Count == 0)
            throw new InvalidOperationException($"topic {topic} does not exist{(found?.Error.IsError == true ? $" ({found.Error.Reason})" : "")}");
        return [.. found.Partitions.Select(p => p.PartitionId).Order()];
    }

    /// <summary>Where the client's cluster listens, as its metadata names the brokers (the mock cluster's own address).</summary>
    public static string Bootstrap(Handle handle)
    {
        using var admin = new DependentAdminClientBuilder(handle).Build();
        return string.Join(',', admin.GetMetadata(Patience).Brokers.Select(b => $"{b.Host}:{b.Port}"));
    }
}
