using Golog.Core;

namespace Golog.Broker.Doors.Kafka.Apis;

/// <summary>
/// DeleteTopics (20) v1: each topic removed through the core's <see cref="DeleteTopicCommand"/> (files, routes, and
/// every group's committed offsets for it); an unknown topic is UNKNOWN_TOPIC_OR_PARTITION. Answered once removed.
/// </summary>
public sealed class DeleteTopicsApi : IKafkaApi
{
    public short Key => 20;
    public string Name => "DeleteTopics";
    public short MinVersion => 1;
    public short MaxVersion => 1;

    public DecodedRequest<KafkaRequestContext> Decode(KafkaRequestHeader header, ref KafkaReader body)
    {
        var topics = new string[body.ArrayLength("topic_names")];
        for (int t = 0; t < topics.Length; t++) topics[t] = body.String("topic_names");
        body.Int32("timeout_ms");
        return new(new KafkaRequestContext(header, topics), null) { Parts = topics.Select(t => (ICoreCommand)new DeleteTopicCommand(t)).ToList() };
    }

    public void Encode(KafkaWriter w, in KafkaRequestContext context, ICoreResult result)
    {
        var topics = (string[])context.State!;
        var parts = (PartResults)result;
        w.Int32(0); // throttle_time_ms
        w.ArrayLength(topics.Length);
        for (int t = 0; t < topics.Length; t++)
        {
            w.String(topics[t]);
            w.Int16(KafkaErrors.Of(parts.Results[t]));
        }
    }
}
