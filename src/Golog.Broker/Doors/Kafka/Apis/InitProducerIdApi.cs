using Golog.Core;

namespace Golog.Broker.Doors.Kafka.Apis;

/// <summary>
/// InitProducerId (22) v0-v1 (the same layout): a new producer id with epoch 0 for an idempotent producer, never
/// handed out before (<see cref="ProducerIdAssigned"/>). A transactional id is refused: Golog has no transactions.
/// </summary>
public sealed class InitProducerIdApi : IKafkaApi
{
    public short Key => 22;
    public string Name => "InitProducerId";
    public short MinVersion => 0;
    public short MaxVersion => 1;

    public DecodedRequest<KafkaRequestContext> Decode(KafkaRequestHeader header, ref KafkaReader body)
    {
        string? transactionalId = body.NullableString("transactional_id");
        body.Int32("transaction_timeout_ms");
        var context = new KafkaRequestContext(header);
        return transactionalId is null
            ? new(context, InitProducerIdCommand.Instance)
            : new(context, null) { Answer = new Failed(new BrokerError(BrokerErrorCode.TransactionsNotSupported, "Golog has no transactions")) };
    }

    public void Encode(KafkaWriter w, in KafkaRequestContext context, ICoreResult result)
    {
        w.Int32(0); // throttle_time_ms
        w.Int16(KafkaErrors.Of(result));
        w.Int64(result is ProducerIdAssigned assigned ? assigned.ProducerId : -1);
        w.Int16(result is ProducerIdAssigned a ? a.Epoch : (short)-1);
    }
}
