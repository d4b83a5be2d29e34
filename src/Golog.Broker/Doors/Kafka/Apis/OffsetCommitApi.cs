using Golog.Core;
using Golog.Core.Groups;
using Golog.Storage;

namespace Golog.Broker.Doors.Kafka.Apis;

/// <summary>
/// OffsetCommit (8) v2: one commit per partition, into the group's one offset store (the JSON door's `committed`
/// reads them), each durable before it is answered. A negative generation is a standalone commit (a consumer that
/// assigned itself partitions, admin tools), accepted only while the group has no members; otherwise the member and
/// generation fence it. The metadata string is checked for size but not stored (OffsetFetch answers it empty).
/// </summary>
public sealed class OffsetCommitApi : IKafkaApi
{
    private const int MaxMetadataChars = 4096; // Kafka's offset.metadata.max.bytes

    private sealed record Request(TopicPartitions[] Topics, PartPlan Plan);

    public short Key => 8;
    public string Name => "OffsetCommit";
    public short MinVersion => 2;
    public short MaxVersion => 2;

    public DecodedRequest<KafkaRequestContext> Decode(KafkaRequestHeader header, ref KafkaReader body)
    {
        string group = body.String("group_id");
        int generation = body.Int32("generation_id");
        string memberId = body.String("member_id");
        body.Int64("retention_time_ms"); // offsets are kept until the group is deleted
        MemberGeneration? member = generation < 0 ? null : new MemberGeneration(memberId, generation);
        var plan = new PartPlan();
        var topics = new TopicPartitions[body.ArrayLength("topics")];
        for (int t = 0; t < topics.Length; t++)
        {
            string topic = body.String("topics.name");
            var partitions = new int[body.ArrayLength("partitions")];
            for (int p = 0; p < partitions.Length; p++)
            {
                partitions[p] = body.Int32("partitions.partition_index");
                long offset = body.Int64("partitions.committed_offset");
                string? metadata = body.NullableString("partitions.committed_metadata");
                if (metadata?.Length > MaxMetadataChars)
                    plan.Refuse(new BrokerError(BrokerErrorCode.OffsetMetadataTooLarge, $"commit metadata of {metadata.Length} characters is over {MaxMetadataChars}"));
                else if (offset < 0)
                    plan.Refuse(new BrokerError(BrokerErrorCode.InvalidRequest, $"committed offset {offset} is negative"));
                else plan.Send(new CommitCommand(group, new TopicPartition(topic, partitions[p]), offset, member));
            }
            topics[t] = new TopicPartitions(topic, partitions);
        }
        return new(new KafkaRequestContext(header, new Request(topics, plan)), null) { Parts = plan.Commands };
    }

    public void Encode(KafkaWriter w, in KafkaRequestContext context, ICoreResult result)
    {
        var request = (Request)context.State!;
        var parts = (PartResults)result;
        w.TopicPartitions(request.Topics, (partition, entry) =>
        {
            w.Int32(partition);
            w.Int16(KafkaErrors.Of(request.Plan.ResultOf(entry, parts)));
        });
    }
}
