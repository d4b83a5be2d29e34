using System.Text.Json;

namespace Golog.Protocol;

/// <summary>
/// The metadata parts of framed replies (client side), for <see cref="ReplyReader"/>: topics with their partitions'
/// leaders and replicas, the cluster's nodes, a not_leader error's leader and a group's coordinator. Members a broker before replication does
/// not send stay null. Each method starts on the member's value.
/// </summary>
internal static class MetadataReplyReader
{
    public static List<TopicMetadata> ReadTopics(ref Utf8JsonReader r)
    {
        var topics = new List<TopicMetadata>();
        while (r.Read() && r.TokenType == JsonTokenType.StartObject)
        {
            string name = "";
            var partitions = new List<PartitionMetadata>();
            while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
            {
                if (r.ValueTextEquals("name"u8)) { r.Read(); name = r.GetString()!; }
                else if (r.ValueTextEquals("partitions"u8))
                {
                    r.Read();
                    while (r.Read() && r.TokenType == JsonTokenType.StartObject) partitions.Add(ReadPartition(ref r));
                }
                else { r.Read(); r.Skip(); }
            }
            topics.Add(new TopicMetadata(name, partitions));
        }
        return topics;
    }

    private static PartitionMetadata ReadPartition(ref Utf8JsonReader r)
    {
        int p = 0;
        long start = 0, hw = 0;
        int? leader = null, epoch = null;
        List<int>? replicas = null, isr = null;
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            if (r.ValueTextEquals("partition"u8)) { r.Read(); p = r.GetInt32(); }
            else if (r.ValueTextEquals("log_start_offset"u8)) { r.Read(); start = r.GetInt64(); }
            else if (r.ValueTextEquals("high_watermark"u8)) { r.Read(); hw = r.GetInt64(); }
            else if (r.ValueTextEquals("leader"u8)) { r.Read(); leader = r.TokenType == JsonTokenType.Null ? null : r.GetInt32(); }
            else if (r.ValueTextEquals("leader_epoch"u8)) { r.Read(); epoch = r.GetInt32(); }
            else if (r.ValueTextEquals("replicas"u8)) { r.Read(); replicas = ReadNodeIds(ref r); }
            else if (r.ValueTextEquals("isr"u8)) { r.Read(); isr = ReadNodeIds(ref r); }
            else { r.Read(); r.Skip(); }
        }
        return new PartitionMetadata(p, start, hw) { Leader = leader, Replicas = replicas, Isr = isr, LeaderEpoch = epoch };
    }

    private static List<int> ReadNodeIds(ref Utf8JsonReader r)
    {
        var ids = new List<int>();
        while (r.Read() && r.TokenType == JsonTokenType.Number) ids.Add(r.GetInt32());
        return ids;
    }

    public static List<BrokerNode> ReadBrokers(ref Utf8JsonReader r)
    {
        var brokers = new List<BrokerNode>();
        while (r.Read() && r.TokenType == JsonTokenType.StartObject)
        {
            int id = 0, port = 0;
            int? kafkaPort = null;
            string host = "", status = BrokerStatus.Up;
            while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
            {
                if (r.ValueTextEquals("node_id"u8)) { r.Read(); id = r.GetInt32(); }
                else if (r.ValueTextEquals("host"u8)) { r.Read(); host = r.GetString()!; }
                else if (r.ValueTextEquals("port"u8)) { r.Read(); port = r.GetInt32(); }
                else if (r.ValueTextEquals("kafka_port"u8)) { r.Read(); kafkaPort = r.TokenType == JsonTokenType.Null ? null : r.GetInt32(); }
                else if (r.ValueTextEquals("status"u8)) { r.Read(); status = r.GetString()!; }
                else { r.Read(); r.Skip(); }
            }
            brokers.Add(new BrokerNode(id, host, port, kafkaPort, status));
        }
        return brokers;
    }

    /// <summary>{"node_id","host","port"}, or null (the leader or coordinator is not known: an election is under way).</summary>
    public static NodeAddress? ReadNodeAddress(ref Utf8JsonReader r)
    {
        if (r.TokenType != JsonTokenType.StartObject) { r.Skip(); return null; }
        int id = 0, port = 0;
        string host = "";
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            if (r.ValueTextEquals("node_id"u8)) { r.Read(); id = r.GetInt32(); }
            else if (r.ValueTextEquals("host"u8)) { r.Read(); host = r.GetString()!; }
            else if (r.ValueTextEquals("port"u8)) { r.Read(); port = r.GetInt32(); }
            else { r.Read(); r.Skip(); }
        }
        return new NodeAddress(id, host, port);
    }
}
