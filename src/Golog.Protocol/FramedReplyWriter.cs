using System.Buffers;

namespace Golog.Protocol;

/// <summary>Writes framed-style reply lines (one JSON object per request, echoing its id). One per connection.</summary>
public sealed class FramedReplyWriter(IBufferWriter<byte> output) : JsonLines(output)
{
    private bool _inHeaders;

    public void ProduceOk(RequestId id, string topic, int partition, long baseOffset, long lastOffset)
    {
        Begin(id);
        Json.WriteString("topic"u8, topic);
        Json.WriteNumber("partition"u8, partition);
        Json.WriteNumber("base_offset"u8, baseOffset);
        Json.WriteNumber("last_offset"u8, lastOffset);
        End();
    }

    public void Error(RequestId? id, ProtocolError error)
    {
        Json.WriteStartObject();
        WriteId(id);
        Json.WriteBoolean("ok"u8, false);
        Json.WriteStartObject("error"u8);
        Json.WriteString("code"u8, error.Code);
        Json.WriteString("message"u8, error.Message);
        if (error.LogStartOffset is { } start) Json.WriteNumber("log_start_offset"u8, start);
        if (error.HighWatermark is { } hw) Json.WriteNumber("high_watermark"u8, hw);
        if (error.Code == ErrorCode.NotLeader) WriteNodeAddress("leader"u8, error.Leader); // null: an election is under way
        if (error.Code == ErrorCode.NotCoordinator) WriteNodeAddress("coordinator"u8, error.Coordinator); // null: no coordinator right now
        Json.WriteEndObject();
        End();
    }

    public void Ok(RequestId id)
    {
        Begin(id);
        End();
    }

    /// <summary>find_coordinator: the node coordinating the group (null while none does).</summary>
    public void CoordinatorFound(RequestId id, NodeAddress? coordinator)
    {
        Begin(id);
        WriteNodeAddress("coordinator"u8, coordinator);
        End();
    }

    public void Committed(RequestId id, long? offset)
    {
        Begin(id);
        if (offset is { } o) Json.WriteNumber("offset"u8, o); else Json.WriteNull("offset"u8);
        End();
    }

    /// <summary>The answer to create_topic, create_partitions and delete_topic: the topic and its partition count.</summary>
    public void TopicPartitions(RequestId id, string topic, int partitions)
    {
        Begin(id);
        Json.WriteString("topic"u8, topic);
        Json.WriteNumber("partitions"u8, partitions);
        End();
    }

    /// <summary>
    /// The metadata reply: the cluster's nodes and controller (when given), and each partition's bounds with, when
    /// known, its leader, replicas, in-sync replicas and leader epoch.
    /// </summary>
    public void Metadata(RequestId id, IEnumerable<TopicMetadata> topics, IEnumerable<BrokerNode>? brokers = null, int? controller = null)
    {
        Begin(id);
        if (brokers is not null)
        {
            Json.WriteStartArray("brokers"u8);
            foreach (var b in brokers)
            {
                Json.WriteStartObject();
                Json.WriteNumber("node_id"u8, b.NodeId);
                Json.WriteString("host"u8, b.Host);
                Json.WriteNumber("port"u8, b.Port);
                if (b.KafkaPort is { } kafka) Json.WriteNumber("kafka_port"u8, kafka); else Json.WriteNull("kafka_port"u8);
                Json.WriteString("status"u8, b.Status);
                Json.WriteEndObject();
            }
            Json.WriteEndArray();
            if (controller is { } c) Json.WriteNumber("controller"u8, c); else Json.WriteNull("controller"u8);
        }
        Json.WriteStartArray("topics"u8);
        foreach (var t in topics)
        {
            Json.WriteStartObject();
            Json.WriteString("name"u8, t.Name);
            Json.WriteStartArray("partitions"u8);
            foreach (var p in t.Partitions) WritePartition(p);
            Json.WriteEndArray();
            Json.WriteEndObject();
        }
        Json.WriteEndArray();
        End();
    }

    private void WritePartition(PartitionMetadata p)
    {
        Json.WriteStartObject();
        Json.WriteNumber("partition"u8, p.Partition);
        Json.WriteNumber("log_start_offset"u8, p.LogStartOffset);
        Json.WriteNumber("high_watermark"u8, p.HighWatermark);
        if (p.Replicas is not null) // a replicated view: the leader is written even when null (an election)
        {
            if (p.Leader is { } leader) Json.WriteNumber("leader"u8, leader); else Json.WriteNull("leader"u8);
            WriteNodeIds("replicas"u8, p.Replicas);
            WriteNodeIds("isr"u8, p.Isr ?? []);
            Json.WriteNumber("leader_epoch"u8, p.LeaderEpoch ?? 0);
        }
        Json.WriteEndObject();
    }

    private void WriteNodeIds(ReadOnlySpan<byte> name, IEnumerable<int> ids)
    {
        Json.WriteStartArray(name);
        foreach (var id in ids) Json.WriteNumberValue(id);
        Json.WriteEndArray();
    }

    private void WriteNodeAddress(ReadOnlySpan<byte> name, NodeAddress? node)
    {
        if (node is null) { Json.WriteNull(name); return; }
        Json.WriteStartObject(name);
        Json.WriteNumber("node_id"u8, node.NodeId);
        Json.WriteString("host"u8, node.Host);
        Json.WriteNumber("port"u8, node.Port);
        Json.WriteEndObject();
    }

    public void ProducerIdAssigned(RequestId id, long producerId, short epoch)
    {
        Begin(id);
        Json.WriteNumber("producer_id"u8, producerId);
        Json.WriteNumber("producer_epoch"u8, epoch);
        End();
    }

    public void GroupJoined(RequestId id, JoinedGroup joined)
    {
        Begin(id);
        Json.WriteString("group"u8, joined.Group);
        Json.WriteNumber("generation_id"u8, joined.GenerationId);
        Json.WriteString("member_id"u8, joined.MemberId);
        Json.WriteString("protocol"u8, joined.Protocol);
        Json.WriteNumber("heartbeat_interval_ms"u8, joined.HeartbeatIntervalMs);
        Json.WriteNumber("session_timeout_ms"u8, joined.SessionTimeoutMs);
        WriteAssignment(joined.Assignment);
        End();
    }

    public void GroupDescribed(RequestId id, GroupDescription d)
    {
        Begin(id);
        Json.WriteString("group"u8, d.Group);
        Json.WriteString("state"u8, d.State);
        Json.WriteNumber("generation_id"u8, d.GenerationId);
        Json.WriteString("protocol"u8, d.Protocol);
        Json.WriteString("kind"u8, d.Kind);
        Json.WriteStartArray("members"u8);
        foreach (var m in d.Members)
        {
            Json.WriteStartObject();
            Json.WriteString("member_id"u8, m.MemberId);
            Json.WriteString("client_id"u8, m.ClientId);
            Json.WriteStartArray("topics"u8);
            foreach (var t in m.Topics) Json.WriteStringValue(t);
            Json.WriteEndArray();
            WriteAssignment(m.Assignment);
            Json.WriteEndObject();
        }
        Json.WriteEndArray();
        Json.WriteStartArray("offsets"u8);
        foreach (var o in d.Offsets)
        {
            Json.WriteStartObject();
            Json.WriteString("topic"u8, o.Topic);
            Json.WriteNumber("partition"u8, o.Partition);
            WriteNullable("committed"u8, o.Committed);
            WriteNullable("high_watermark"u8, o.HighWatermark);
            WriteNullable("lag"u8, o.Lag);
            if (o.MemberId is { } member) Json.WriteString("member_id"u8, member); else Json.WriteNull("member_id"u8);
            Json.WriteEndObject();
        }
        Json.WriteEndArray();
        End();
    }

    public void GroupsListed(RequestId id, IEnumerable<GroupListing> groups)
    {
        Begin(id);
        Json.WriteStartArray("groups"u8);
        foreach (var g in groups)
        {
            Json.WriteStartObject();
            Json.WriteString("group"u8, g.Group);
            Json.WriteString("state"u8, g.State);
            Json.WriteNumber("members"u8, g.Members);
            Json.WriteString("kind"u8, g.Kind);
            Json.WriteEndObject();
        }
        Json.WriteEndArray();
        End();
    }

    public void OffsetsReset(RequestId id, string group, bool dryRun, IEnumerable<OffsetResetEntry> reset)
    {
        Begin(id);
        Json.WriteString("group"u8, group);
        Json.WriteBoolean("dry_run"u8, dryRun);
        Json.WriteStartArray("reset"u8);
        foreach (var e in reset)
        {
            Json.WriteStartObject();
            Json.WriteString("topic"u8, e.Topic);
            Json.WriteNumber("partition"u8, e.Partition);
            WriteNullable("previous"u8, e.Previous);
            Json.WriteNumber("offset"u8, e.Offset);
            Json.WriteEndObject();
        }
        Json.WriteEndArray();
        End();
    }

    private void WriteAssignment(IEnumerable<TopicAssignment> assignment)
    {
        Json.WriteStartArray("assignment"u8);
        foreach (var a in assignment)
        {
            Json.WriteStartObject();
            Json.WriteString("topic"u8, a.Topic);
            Json.WriteStartArray("partitions"u8);
            foreach (var p in a.Partitions) Json.WriteNumberValue(p);
            Json.WriteEndArray();
            Json.WriteEndObject();
        }
        Json.WriteEndArray();
    }

    private void WriteNullable(ReadOnlySpan<byte> name, long? value)
    {
        if (value is { } v) Json.WriteNumber(name, v); else Json.WriteNull(name);
    }

    public void BeginFetch(RequestId id, string topic, int partition, long highWatermark, long logStartOffset)
    {
        Begin(id);
        Json.WriteString("topic"u8, topic);
        Json.WriteNumber("partition"u8, partition);
        Json.WriteNumber("high_watermark"u8, highWatermark);
        Json.WriteNumber("log_start_offset"u8, logStartOffset);
        Json.WriteStartArray("records"u8);
    }

    /// <summary>Opens one fetched record; add headers with <see cref="RecordHeader"/>, then call <see cref="EndRecord"/>.</summary>
    public void BeginRecord(long offset, long timestamp, bool hasKey, ReadOnlySpan<byte> key, ReadOnlySpan<byte> message)
    {
        Json.WriteStartObject();
        Json.WriteNumber("offset"u8, offset);
        Json.WriteNumber("timestamp"u8, timestamp);
        if (hasKey) Json.WriteString("key"u8, key); else Json.WriteNull("key"u8);
        Json.WriteString("message"u8, message);
    }

    public void RecordHeader(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        if (!_inHeaders) { Json.WriteStartObject("headers"u8); _inHeaders = true; }
        Json.WriteString(key, value);
    }

    public void EndRecord()
    {
        if (_inHeaders) { Json.WriteEndObject(); _inHeaders = false; }
        Json.WriteEndObject();
    }

    public void EndFetch()
    {
        Json.WriteEndArray();
        End();
    }

    /// <summary>
    /// A fetch reply in the "batches" format: <paramref name="batches"/> are whole RecordBatch v2 batches as stored
    /// (compressed ones too), in base64, so neither side renders or parses a record as JSON.
    /// </summary>
    public void FetchBatches(RequestId id, string topic, int partition, long highWatermark, long logStartOffset, ReadOnlySpan<byte> batches)
    {
        Begin(id);
        Json.WriteString("topic"u8, topic);
        Json.WriteNumber("partition"u8, partition);
        Json.WriteNumber("high_watermark"u8, highWatermark);
        Json.WriteNumber("log_start_offset"u8, logStartOffset);
        Json.WriteBase64String("batches"u8, batches);
        End();
    }

    private void Begin(RequestId id)
    {
        Json.WriteStartObject();
        WriteId(id);
        Json.WriteBoolean("ok"u8, true);
    }

    private void WriteId(RequestId? id)
    {
        Json.WritePropertyName("id"u8);
        if (id is { } i) Json.WriteRawValue(i.RawJson, skipInputValidation: true); else Json.WriteNullValue();
    }

    private void End()
    {
        Json.WriteEndObject();
        EndLine();
    }
}
