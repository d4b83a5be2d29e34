using Golog.Core;

namespace Golog.Broker.Doors.Kafka.Apis;

/// <summary>
/// Metadata (3) v4: the brokers, the cluster id, the controller and the requested topics with their partitions'
/// leaders and replicas (<see cref="KafkaCluster"/>). topics null = every topic, empty = brokers only. A named topic
/// that does not exist is created when the request allows it (producers ask so) and golog.topics.auto-create is on,
/// with golog.topics.default-partitions partitions; otherwise it is answered UNKNOWN_TOPIC_OR_PARTITION.
/// </summary>
public sealed class MetadataApi(KafkaCluster cluster) : IKafkaApi
{
    public short Key => 3;
    public string Name => "Metadata";
    public short MinVersion => 4;
    public short MaxVersion => 4;

    public DecodedRequest<KafkaRequestContext> Decode(KafkaRequestHeader header, ref KafkaReader body)
    {
        int count = body.ArrayLength("topics", nullable: true);
        var topics = new string[Math.Max(count, 0)];
        for (int i = 0; i < topics.Length; i++) topics[i] = body.String("topics.name");
        bool autoCreate = body.Bool("allow_auto_topic_creation");
        if (count < 0) return new(new KafkaRequestContext(header), new MetadataQuery(null));
        return new(new KafkaRequestContext(header, topics), null)
        {
            Parts = topics.Select(t => (ICoreCommand)new MetadataQuery(t, CreateIfMissing: autoCreate)).ToList(),
        };
    }

    public void Encode(KafkaWriter w, in KafkaRequestContext context, ICoreResult result)
    {
        w.Int32(0); // throttle_time_ms
        var nodes = cluster.Nodes; // one snapshot: the count and the entries must agree
        w.ArrayLength(nodes.Count);
        foreach (var node in nodes)
        {
            w.Int32(node.NodeId);
            w.String(node.Host);
            w.Int32(node.Port);
            w.NullableString(null); // rack
        }
        w.NullableString(cluster.ClusterId);
        w.Int32(cluster.ControllerId);
        switch (result)
        {
            case MetadataResult all:
                w.ArrayLength(all.Topics.Count);
                foreach (var topic in all.Topics) Topic(w, topic);
                break;
            case PartResults parts:
                var names = (string[])context.State!;
                w.ArrayLength(names.Length);
                for (int i = 0; i < names.Length; i++)
                {
                    if (parts.Results[i] is MetadataResult { Topics: [var topic] }) Topic(w, topic);
                    else MissingTopic(w, names[i], parts.Results[i] is Failed f ? KafkaErrors.Code(f.Error) : KafkaErrors.UnknownTopicOrPartition);
                }
                break;
            default: // the whole query failed (the broker is shutting down): no topics
                w.ArrayLength(0);
                break;
        }
    }

    private void Topic(KafkaWriter w, TopicBounds topic)
    {
        w.Int16(0);
        w.String(topic.Name);
        w.Bool(false); // is_internal: group offsets are not a topic in Golog
        w.ArrayLength(topic.Partitions.Count);
        foreach (var p in topic.Partitions)
        {
            var leadership = cluster.Leadership(topic.Name, p.Partition);
            w.Int16(0);
            w.Int32(p.Partition);
            w.Int32(leadership.Leader);
            Nodes(w, leadership.Replicas);
            Nodes(w, leadership.Isr);
        }
    }

    private static void MissingTopic(KafkaWriter w, string name, short error)
    {
        w.Int16(error);
        w.String(name);
        w.Bool(false);
        w.ArrayLength(0);
    }

    private static void Nodes(KafkaWriter w, IReadOnlyList<int> nodes)
    {
        w.ArrayLength(nodes.Count);
        foreach (int node in nodes) w.Int32(node);
    }
}
