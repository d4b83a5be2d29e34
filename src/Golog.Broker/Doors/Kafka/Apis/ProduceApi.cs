using System.Buffers.Binary;
using Golog.Core;

namespace Golog.Broker.Doors.Kafka.Apis;

/// <summary>
/// Produce (0) v3: each partition's records, exactly one RecordBatch v2, appended as the client encoded it
/// (compressed ones too). acks map to the core's as the JSON door's do: -1 is <see cref="Acks.All"/> (answered once
/// every in-sync replica has the batch durable under the flush policy; on one node, once the leader has), 1 is
/// <see cref="Acks.Leader"/>, 0 is <see cref="Acks.None"/> (appended alike and not answered). Versions 0-2 are advertised only because librdkafka 2.0.2 (kcat) probes Produce v0 before it will
/// compress; they are not served (the connection closes, as Kafka 4 does).
/// </summary>
public sealed class ProduceApi : IKafkaApi
{
    private sealed record Request(TopicPartitions[] Topics, PartPlan Plan);

    private const int CompressionMask = 0x07;
    private const int Zstd = 4;
    private const int TransactionalBit = 0x10;
    private const int ControlBit = 0x20;

    public short Key => 0;
    public string Name => "Produce";
    public short MinVersion => 0;
    public short MaxVersion => 3;
    public bool Serves(short version) => version == 3;

    public DecodedRequest<KafkaRequestContext> Decode(KafkaRequestHeader header, ref KafkaReader body)
    {
        string? transactionalId = body.NullableString("transactional_id");
        short acks = body.Int16("acks");
        body.Int32("timeout_ms"); // every produce is answered when durable, well within any client timeout
        var refusal = transactionalId is not null
            ? new BrokerError(BrokerErrorCode.TransactionsNotSupported, "Golog has no transactions")
            : acks is -1 or 0 or 1 ? null : new BrokerError(BrokerErrorCode.InvalidRequiredAcks, $"acks {acks} is none of -1, 0, 1");
        var plan = new PartPlan();
        var topics = new TopicPartitions[body.ArrayLength("topics")];
        for (int t = 0; t < topics.Length; t++)
        {
            string topic = body.String("topics.name");
            var partitions = new int[body.ArrayLength("partitions")];
            for (int p = 0; p < partitions.Length; p++)
            {
                partitions[p] = body.Int32("partitions.index");
                var records = body.Bytes("records", out bool isNull);
                if ((refusal ?? CheckBatch(records, isNull)) is { } error) plan.Refuse(error);
                else plan.Send(new AppendBatchCommand(topic, partitions[p], records.ToArray(), acks switch { -1 => Acks.All, 1 => Acks.Leader, _ => Acks.None }));
            }
            topics[t] = new TopicPartitions(topic, partitions);
        }
        return new(new KafkaRequestContext(header, new Request(topics, plan), NoReply: acks == 0), null) { Parts = plan.Commands };
    }

    /// <summary>What Kafka refuses before storage looks at the batch (storage then checks length, CRC and records).</summary>
    private static BrokerError? CheckBatch(ReadOnlySpan<byte> records, bool isNull)
    {
        const int MagicOffset = 16, AttributesOffset = 21, HeaderBytes = 61;
        if (isNull || records.Length < HeaderBytes)
            return new BrokerError(BrokerErrorCode.InvalidRecord, "a produce must carry exactly one RecordBatch v2");
        long batchBytes = BinaryPrimitives.ReadInt32BigEndian(records[8..]) + 12L;
        if (records[MagicOffset] != 2)
            return new BrokerError(BrokerErrorCode.InvalidRecord, $"record batch magic {records[MagicOffset]} is not 2: only RecordBatch v2 is stored");
        if (batchBytes < records.Length)
            return new BrokerError(BrokerErrorCode.InvalidRecord, "a produce must carry exactly one RecordBatch v2 per partition, not several");
        int attributes = BinaryPrimitives.ReadInt16BigEndian(records[AttributesOffset..]);
        if ((attributes & (TransactionalBit | ControlBit)) != 0)
            return new BrokerError(BrokerErrorCode.TransactionsNotSupported, "transactional and control batches are refused: Golog has no transactions");
        if ((attributes & CompressionMask) == Zstd)
            return new BrokerError(BrokerErrorCode.UnsupportedCompressionType, "zstd needs Produce v7, which Golog does not serve");
        return null;
    }

    public void Encode(KafkaWriter w, in KafkaRequestContext context, ICoreResult result)
    {
        var request = (Request)context.State!;
        var parts = (PartResults)result;
        w.TopicPartitions(request.Topics, (partition, entry) =>
        {
            w.Int32(partition);
            var outcome = request.Plan.ResultOf(entry, parts);
            w.Int16(KafkaErrors.Of(outcome));
            w.Int64(outcome is Produced produced ? produced.BaseOffset : -1);
            w.Int64(-1); // log_append_time: topics keep the producer's CreateTime
        });
        w.Int32(0); // throttle_time_ms comes last in Produce
    }
}
