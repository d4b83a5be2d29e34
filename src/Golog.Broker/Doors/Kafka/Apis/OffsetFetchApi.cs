using Golog.Core;
using Golog.Storage;

namespace Golog.Broker.Doors.Kafka.Apis;

/// <summary>
/// OffsetFetch (9) v1: the group's committed offset of each partition asked for (-1: none), whichever door committed
/// it. v1 has no top-level error and cannot ask for "all partitions": errors go into each partition.
/// </summary>
public sealed class OffsetFetchApi : IKafkaApi
{
    private sealed record Request(TopicPartitions[] Topics);

    public short Key => 9;
    public string Name => "OffsetFetch";
    public short MinVersion => 1;
    public short MaxVersion => 1;

    public DecodedRequest<KafkaRequestContext> Decode(KafkaRequestHeader header, ref KafkaReader body)
    {
        string group = body.String("group_id");
        var parts = new List<ICoreCommand>();
        var topics = new TopicPartitions[body.ArrayLength("topics")];
        for (int t = 0; t < topics.Length; t++)
        {
            string topic = body.String("topics.name");
            var partitions = new int[body.ArrayLength("partition_indexes")];
            for (int p = 0; p < partitions.Length; p++)
            {
                partitions[p] = body.Int32("partition_indexes");
                parts.Add(new CommittedQuery(group, new TopicPartition(topic, partitions[p])));
            }
            topics[t] = new TopicPartitions(topic, partitions);
        }
        return new(new KafkaRequestContext(header, new Request(topics)), null) { Parts = parts };
    }

    public void Encode(KafkaWriter w, in KafkaRequestContext context, ICoreResult result)
    {
        var request = (Request)context.State!;
        var parts = (PartResults)result;
        w.TopicPartitions(request.Topics, (partition, entry) =>
        {
            var answer = parts.Results[entry];
            w.Int32(partition);
            w.Int64(answer is CommittedOffset { Offset: { } offset } ? offset : -1);
            w.NullableString("");
            w.Int16(KafkaErrors.Of(answer));
        });
    }
}
