using Golog.Core;

namespace Golog.Broker.Doors.Kafka.Apis;

/// <summary>
/// ListOffsets (2) v1: a partition's earliest (timestamp -2: the log start offset) or latest (-1: the high watermark)
/// offset, from the topic's metadata. A lookup by timestamp needs a time index, which Golog's segments do not have
/// yet: such a partition is answered INVALID_REQUEST (42), documented in docs/protocol.md (v1 has no error message).
/// </summary>
public sealed class ListOffsetsApi : IKafkaApi
{
    private const long Latest = -1, Earliest = -2;

    private sealed record Request(string[] Topics, (int Partition, long Timestamp)[][] Partitions);

    public short Key => 2;
    public string Name => "ListOffsets";
    public short MinVersion => 1;
    public short MaxVersion => 1;

    public DecodedRequest<KafkaRequestContext> Decode(KafkaRequestHeader header, ref KafkaReader body)
    {
        body.Int32("replica_id");
        var topics = new string[body.ArrayLength("topics")];
        var partitions = new (int, long)[topics.Length][];
        for (int t = 0; t < topics.Length; t++)
        {
            topics[t] = body.String("topics.name");
            partitions[t] = new (int, long)[body.ArrayLength("partitions")];
            for (int p = 0; p < partitions[t].Length; p++)
                partitions[t][p] = (body.Int32("partitions.partition_index"), body.Int64("partitions.timestamp"));
        }
        // one metadata query per topic entry: its bounds answer every partition named under it
        return new(new KafkaRequestContext(header, new Request(topics, partitions)), null)
        {
            Parts = topics.Select(t => (ICoreCommand)new MetadataQuery(t)).ToList(),
        };
    }

    public void Encode(KafkaWriter w, in KafkaRequestContext context, ICoreResult result)
    {
        var request = (Request)context.State!;
        var parts = (PartResults)result;
        w.ArrayLength(request.Topics.Length);
        for (int t = 0; t < request.Topics.Length; t++)
        {
            w.String(request.Topics[t]);
            w.ArrayLength(request.Partitions[t].Length);
            var bounds = parts.Results[t] is MetadataResult { Topics: [var topic] } ? topic.Partitions : null;
            foreach (var (partition, timestamp) in request.Partitions[t])
            {
                w.Int32(partition);
                var found = bounds?.FirstOrDefault(b => b.Partition == partition);
                short error = found is null ? KafkaErrors.UnknownTopicOrPartition
                    : timestamp is Latest or Earliest ? KafkaErrors.None
                    : BrokerErrorCode.TimestampLookupUnsupported.Wire().Kafka;
                w.Int16(error);
                w.Int64(-1); // timestamp: none for earliest/latest
                w.Int64(error != KafkaErrors.None ? -1 : timestamp == Latest ? found!.HighWatermark : found!.LogStartOffset);
            }
        }
    }
}
