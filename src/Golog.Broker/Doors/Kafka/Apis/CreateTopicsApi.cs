using Golog.Core;

namespace Golog.Broker.Doors.Kafka.Apis;

/// <summary>
/// CreateTopics (19) v2: each topic created through the core (names, limits and "already exists" are its rules).
/// num_partitions -1 means golog.topics.default-partitions and replication_factor -1 the broker's default (KafkaJS
/// sends -1 for both when left out; v2 predates Kafka's own "broker default", KIP-464). On one node only 1 (or -1)
/// is a factor; a cluster caps the factor by the nodes up. Manual replica assignments are refused (the controller
/// places replicas), and so are topic configs (Golog sets segment and retention per topic in
/// golog.topics.overrides). validate_only checks without creating.
/// </summary>
public sealed class CreateTopicsApi(BrokerSettings settings, KafkaCluster cluster) : IKafkaApi
{
    private sealed record Request(string[] Topics, PartPlan Plan, bool ValidateOnly);

    public short Key => 19;
    public string Name => "CreateTopics";
    public short MinVersion => 2;
    public short MaxVersion => 2;

    public DecodedRequest<KafkaRequestContext> Decode(KafkaRequestHeader header, ref KafkaReader body)
    {
        var plan = new PartPlan();
        var topics = new string[body.ArrayLength("topics")];
        var wanted = new (int Partitions, int? ReplicationFactor, BrokerError? Refused)[topics.Length];
        for (int t = 0; t < topics.Length; t++)
        {
            topics[t] = body.String("topics.name");
            int partitions = body.Int32("num_partitions");
            short replicationFactor = body.Int16("replication_factor");
            var refused = ReadAssignments(ref body) ?? ReadConfigs(ref body) ?? Check(partitions, replicationFactor, settings.Cluster.Enabled);
            wanted[t] = (partitions == -1 ? settings.DefaultPartitions : partitions, replicationFactor == -1 ? null : replicationFactor, refused);
        }
        body.Int32("timeout_ms");
        bool validateOnly = body.Bool("validate_only");
        for (int t = 0; t < topics.Length; t++)
        {
            if (wanted[t].Refused is { } error) plan.Refuse(error);
            // validation asks whether the topic exists: "already exists" is then the one refusal left to find
            else plan.Send(validateOnly ? new MetadataQuery(topics[t]) : new CreateTopicCommand(topics[t], wanted[t].Partitions, wanted[t].ReplicationFactor));
        }
        return new(new KafkaRequestContext(header, new Request(topics, plan, validateOnly)), null) { Parts = plan.Commands };
    }

    private BrokerError? ReadAssignments(ref KafkaReader body)
    {
        BrokerError? refused = null;
        int count = body.ArrayLength("assignments");
        for (int a = 0; a < count; a++)
        {
            body.Int32("assignments.partition_index");
            int brokers = body.ArrayLength("assignments.broker_ids");
            for (int b = 0; b < brokers; b++)
                if (body.Int32("assignments.broker_ids") != cluster.Self.NodeId || settings.Cluster.Enabled)
                    refused = new BrokerError(BrokerErrorCode.InvalidReplicaAssignment, settings.Cluster.Enabled
                        ? "manual replica assignments are not taken: the cluster's controller places replicas"
                        : $"the only broker is node {cluster.Self.NodeId}");
        }
        return refused;
    }

    private static BrokerError? ReadConfigs(ref KafkaReader body)
    {
        int count = body.ArrayLength("configs");
        var names = new List<string>();
        for (int c = 0; c < count; c++)
        {
            names.Add(body.String("configs.name"));
            body.NullableString("configs.value");
        }
        return names.Count == 0 ? null : new BrokerError(BrokerErrorCode.InvalidConfig,
            $"topic configs ({string.Join(", ", names)}) are not taken here: set segment.* and retention.* per topic in golog.topics.overrides");
    }

    private static BrokerError? Check(int partitions, short replicationFactor, bool clustered)
    {
        if (partitions == 0 || partitions < -1)
            return new BrokerError(BrokerErrorCode.InvalidPartitions, $"num_partitions {partitions}: a topic has at least 1 partition (-1 = broker default)");
        if (replicationFactor == 0 || replicationFactor < -1)
            return new BrokerError(BrokerErrorCode.InvalidReplicationFactor, $"replication_factor {replicationFactor}: at least 1 (-1 = broker default)");
        if (replicationFactor > 1 && !clustered)
            return new BrokerError(BrokerErrorCode.InvalidReplicationFactor, $"replication_factor {replicationFactor}: this broker runs on one node, so 1 (or -1) is the only factor");
        return null;
    }

    public void Encode(KafkaWriter w, in KafkaRequestContext context, ICoreResult result)
    {
        var request = (Request)context.State!;
        var parts = (PartResults)result;
        w.Int32(0); // throttle_time_ms
        w.ArrayLength(request.Topics.Length);
        for (int t = 0; t < request.Topics.Length; t++)
        {
            var outcome = request.Plan.ResultOf(t, parts);
            BrokerError? error = outcome switch
            {
                MetadataResult when request.ValidateOnly => new BrokerError(BrokerErrorCode.TopicAlreadyExists, $"topic \"{request.Topics[t]}\" already exists"),
                Failed { Error.Code: BrokerErrorCode.UnknownTopicOrPartition } when request.ValidateOnly => null, // free to create
                Failed f => f.Error,
                _ => null,
            };
            w.String(request.Topics[t]);
            w.Int16(error is null ? KafkaErrors.None : KafkaErrors.Code(error));
            w.NullableString(error?.Message);
        }
    }
}
