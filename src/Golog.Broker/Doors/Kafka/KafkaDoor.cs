using System.Net;
using Golog.Broker.Doors.Kafka.Apis;
using Golog.Core;

namespace Golog.Broker.Doors.Kafka;

/// <summary>
/// The Kafka door (golog.kafka): Kafka clients (librdkafka, kcat, Confluent.Kafka, KafkaJS) speak to the same core as
/// the JSON-lines door. Its APIs are listed here, once: the table dispatches to them and ApiVersions advertises them.
/// </summary>
public static class KafkaDoor
{
    public const string Name = Golog.Protocol.PortsFileFormat.KafkaDoor; // its key in the ports file, which tools read

    /// <summary>The door; <paramref name="bound"/> gives the listener's port, advertised when golog.kafka.advertised-port is 0.</summary>
    public static Door Create(BrokerCore core, BrokerSettings settings, KafkaSettings kafka, Task<IPEndPoint> bound) =>
        // connections (and so codecs) exist only once the listener is bound; a refusal codec may come earlier
        Door.Create(Name, kafka.Host, kafka.Port, core, settings,
            () => Codec(settings, kafka, bound.IsCompletedSuccessfully ? bound.Result.Port : kafka.Port, core.Cluster));

    /// <summary>One connection's codec; <paramref name="boundPort"/> is advertised when golog.kafka.advertised-port is 0.</summary>
    public static KafkaCodec Codec(BrokerSettings settings, KafkaSettings kafka, int boundPort, ClusterView? view = null) =>
        new(Apis(settings, kafka, kafka.AdvertisedPort != 0 ? kafka.AdvertisedPort : boundPort, view), kafka.MaxRequestBytes);

    private static KafkaApiTable Apis(BrokerSettings settings, KafkaSettings kafka, int port, ClusterView? view)
    {
        var cluster = new KafkaCluster(new KafkaNode(view?.SelfId ?? kafka.NodeId, kafka.AdvertisedHost, port), kafka.ClusterId, view);
        var apis = new List<IKafkaApi>
        {
            new ProduceApi(),
            new FetchApi(settings),
            new ListOffsetsApi(),
            new MetadataApi(cluster),
            new CreateTopicsApi(settings, cluster),
            new DeleteTopicsApi(),
            new InitProducerIdApi(),
            new FindCoordinatorApi(cluster),
            new JoinGroupApi(),
            new SyncGroupApi(),
            new HeartbeatApi(),
            new LeaveGroupApi(),
            new OffsetCommitApi(),
            new OffsetFetchApi(),
            new DescribeGroupsApi(),
            new ListGroupsApi(),
        };
        apis.Add(new ApiVersionsApi(apis));
        return new KafkaApiTable(apis);
    }
}
