using Golog.Core;

namespace Golog.Broker.Doors.Kafka;

/// <summary>Kafka error numbers: the core's errors through their <see cref="WireCodesAttribute"/>, and the few the door answers itself.</summary>
public static class KafkaErrors
{
    public const short None = 0;
    public const short UnknownServerError = -1;
    public const short UnknownTopicOrPartition = 3;

    public static short Code(BrokerError error) => error.Code.Wire().Kafka;

    /// <summary>The error a result stands for: a failure's number, 0 for anything else.</summary>
    public static short Of(ICoreResult result) => result is Failed f ? Code(f.Error) : None;
}
