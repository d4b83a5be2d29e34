namespace Golog.Broker.Doors.Kafka;

/// <summary>
/// Kafka's "consumer" protocol payloads, which the coordinator stores as opaque bytes: a member's subscription
/// (JoinGroup metadata: version, topics, user data, later fields) and the assignment its leader gave it (SyncGroup:
/// version, topics with partitions, user data). Read only to show operators a Kafka group the way a JSON-door group
/// is shown; every version starts with these fields, so later ones are ignored. Null when the bytes are not that.
/// </summary>
public static class ConsumerProtocol
{
    public const string Type = "consumer";

    public static IReadOnlyList<string>? SubscribedTopics(byte[] metadata)
    {
        try
        {
            var r = new KafkaReader(metadata);
            r.Int16("version");
            var topics = new string[r.ArrayLength("topics")];
            for (int i = 0; i < topics.Length; i++) topics[i] = r.String("topics");
            return topics;
        }
        catch (KafkaFormatException) { return null; }
    }

    public static IReadOnlyList<(string Topic, int[] Partitions)>? AssignedPartitions(byte[] assignment)
    {
        if (assignment.Length == 0) return [];
        try
        {
            var r = new KafkaReader(assignment);
            r.Int16("version");
            var topics = new (string, int[])[r.ArrayLength("assigned_partitions")];
            for (int t = 0; t < topics.Length; t++)
            {
                string topic = r.String("topic");
                var partitions = new int[r.ArrayLength("partitions")];
                for (int p = 0; p < partitions.Length; p++) partitions[p] = r.Int32("partitions");
                topics[t] = (topic, partitions);
            }
            return topics;
        }
        catch (KafkaFormatException) { return null; }
    }
}
