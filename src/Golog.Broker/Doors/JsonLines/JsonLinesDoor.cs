using System.Net;
using Golog.Broker.Doors.Kafka;
using Golog.Core;
using Golog.Protocol;

namespace Golog.Broker.Doors.JsonLines;

/// <summary>The JSON-lines door (golog.host, golog.port): the seed's wire and Golog's framed one, on one listener.</summary>
public static class JsonLinesDoor
{
    public const string Name = "json";

    /// <summary>
    /// The door; <paramref name="bound"/> and <paramref name="kafkaBound"/> (null: the Kafka door is off) give the ports
    /// the metadata reply lists for this node, which leads every partition while Golog runs on one node.
    /// </summary>
    public static Door Create(BrokerCore core, BrokerSettings settings, KafkaSettings kafka, Task<IPEndPoint> bound, Task<IPEndPoint>? kafkaBound)
    {
        string host = KafkaSettings.AdvertisedHostFor("", settings.Host);
        BrokerNode Self() => new(kafka.NodeId, host, PortOf(bound, settings.Port), kafkaBound is null ? null : PortOf(kafkaBound, kafka.Port), BrokerStatus.Up);
        return Door.Create(Name, settings.Host, settings.Port, core, settings, () => new JsonLinesCodec(settings, Self));
    }

    private static int PortOf(Task<IPEndPoint> bound, int configured) => bound.IsCompletedSuccessfully ? bound.Result.Port : configured;
}
