using Golog.Core;

namespace Golog.Broker.Doors.Kafka.Apis;

/// <summary>
/// Fetch (1) v4: each partition's stored batches from the one holding fetch_offset, served as stored (never
/// re-encoded), whole batches only, up to the high watermark; at least one batch even when it is larger than the
/// byte limits, so a consumer never stalls. A partition at its high watermark waits up to max_wait_ms (at most
/// golog.fetch.max-wait) for an append, through the core's long poll. Byte limits: partition_max_bytes, and
/// max_bytes over the whole response, both lowered to golog.fetch.max-bytes (what the connection's budget holds).
/// </summary>
public sealed class FetchApi(BrokerSettings settings) : IKafkaApi
{
    private sealed record Request(TopicPartitions[] Topics, PartPlan Plan);

    public short Key => 1;
    public string Name => "Fetch";
    public short MinVersion => 4;
    public short MaxVersion => 4;

    public DecodedRequest<KafkaRequestContext> Decode(KafkaRequestHeader header, ref KafkaReader body)
    {
        body.Int32("replica_id");
        int maxWaitMs = body.Int32("max_wait_ms");
        body.Int32("min_bytes"); // any data is enough: each partition answers as soon as it has some
        int budget = Math.Clamp(body.Int32("max_bytes"), 1, settings.MaxFetchBytes);
        body.Int8("isolation_level"); // no transactions: read_committed and read_uncommitted read the same
        var maxWait = TimeSpan.FromMilliseconds(Math.Clamp(maxWaitMs, 0, settings.MaxFetchWait.TotalMilliseconds));
        var plan = new PartPlan();
        int reserved = 0;
        var topics = new TopicPartitions[body.ArrayLength("topics")];
        for (int t = 0; t < topics.Length; t++)
        {
            string topic = body.String("topics.topic");
            var partitions = new int[body.ArrayLength("partitions")];
            for (int p = 0; p < partitions.Length; p++)
            {
                partitions[p] = body.Int32("partitions.partition");
                long offset = body.Int64("fetch_offset");
                int partitionMax = body.Int32("partition_max_bytes");
                // each partition gets what is left of max_bytes (at least 1: storage still returns one whole batch)
                int maxBytes = Math.Clamp(Math.Min(partitionMax, budget - reserved), 1, settings.MaxFetchBytes);
                reserved = Math.Min(budget, reserved + maxBytes);
                plan.Send(new FetchCommand(topic, partitions[p], offset, int.MaxValue, maxBytes, maxWait));
            }
            topics[t] = new TopicPartitions(topic, partitions);
        }
        return new(new KafkaRequestContext(header, new Request(topics, plan)), null, ReplyBytes: reserved) { Parts = plan.Commands };
    }

    public void Encode(KafkaWriter w, in KafkaRequestContext context, ICoreResult result)
    {
        var request = (Request)context.State!;
        var parts = (PartResults)result;
        int entry = 0;
        w.Int32(0); // throttle_time_ms
        w.ArrayLength(request.Topics.Length);
        foreach (var topic in request.Topics)
        {
            w.String(topic.Topic);
            w.ArrayLength(topic.Partitions.Length);
            foreach (int partition in topic.Partitions)
            {
                var outcome = request.Plan.ResultOf(entry++, parts);
                long highWatermark = outcome switch
                {
                    Fetched f => f.HighWatermark,
                    Failed { Error.HighWatermark: { } hw } => hw,
                    _ => -1,
                };
                w.Int32(partition);
                w.Int16(KafkaErrors.Of(outcome));
                w.Int64(highWatermark);
                w.Int64(highWatermark); // last_stable_offset: no transactions, so everything acknowledged is stable
                w.ArrayLength(0); // aborted_transactions
                w.Bytes(outcome is Fetched fetched ? fetched.Data.Bytes : []);
            }
        }
    }
}
