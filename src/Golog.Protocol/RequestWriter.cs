using System.Buffers;

namespace Golog.Protocol;

/// <summary>Writes framed-style request lines, for clients. Ids are numbers the client chooses.</summary>
public sealed class RequestWriter(IBufferWriter<byte> output) : JsonLines(output)
{
    /// <summary>A produce; "acks" is written only when it is not the default ("all"), the producer fields only when given.</summary>
    public void Produce(long id, string topic, int? partition, IReadOnlyList<ReadOnlyMemory<byte>> messages,
        string? key = null, IReadOnlyDictionary<string, string>? headers = null, ProducerSequence? producer = null, AckLevel acks = AckLevel.All)
    {
        Begin("produce"u8, id, topic, partition);
        if (acks != AckLevel.All) Json.WriteNumber("acks"u8, acks == AckLevel.Leader ? 1 : 0);
        if (producer is { } p)
        {
            Json.WriteNumber("producer_id"u8, p.ProducerId);
            Json.WriteNumber("producer_epoch"u8, p.Epoch);
            Json.WriteNumber("sequence"u8, p.FirstSequence);
        }
        if (key is not null) Json.WriteString("key"u8, key);
        if (headers is { Count: > 0 })
        {
            Json.WriteStartObject("headers"u8);
            foreach (var (k, v) in headers) Json.WriteString(k, v);
            Json.WriteEndObject();
        }
        if (messages.Count == 1) Json.WriteString("message"u8, messages[0].Span);
        else
        {
            Json.WriteStartArray("messages"u8);
            foreach (var m in messages) Json.WriteStringValue(m.Span);
            Json.WriteEndArray();
        }
        End();
    }

    /// <summary>
    /// A produce in the seed's style (no "id"): answered by one plain "ack offset N" line, in order. For tools that
    /// drive the seed protocol or a server that only speaks it.
    /// </summary>
    public void SeedProduce(string topic, int partition, ReadOnlySpan<byte> message)
    {
        Json.WriteStartObject();
        Json.WriteString("type"u8, "produce"u8);
        Json.WriteString("topic"u8, topic);
        Json.WriteNumber("partition"u8, partition);
        Json.WriteString("message"u8, message);
        End();
    }

    public void Fetch(long id, string topic, int partition, long offset, int? maxMessages = null, int? maxBytes = null, int? maxWaitMs = null,
        FetchFormat format = FetchFormat.Records)
    {
        Begin("fetch"u8, id, topic, partition);
        Json.WriteNumber("offset"u8, offset);
        if (maxMessages is { } mm) Json.WriteNumber("max_messages"u8, mm);
        if (maxBytes is { } mb) Json.WriteNumber("max_bytes"u8, mb);
        if (maxWaitMs is { } mw) Json.WriteNumber("max_wait_ms"u8, mw);
        if (format == FetchFormat.Batches) Json.WriteString("format"u8, "batches"u8);
        End();
    }

    /// <summary>A commit; with <paramref name="member"/> it speaks for a group member and is fenced by its generation.</summary>
    public void Commit(long id, string group, string topic, int partition, long offset, MemberGeneration? member = null)
    {
        Begin("commit"u8, id, topic, partition);
        Json.WriteString("group"u8, group);
        Json.WriteNumber("offset"u8, offset);
        if (member is { } m) WriteMember(m);
        End();
    }

    public void JoinGroup(long id, string group, IReadOnlyList<string> topics, string? memberId, int? sessionTimeoutMs, string? clientId)
    {
        Begin("join_group"u8, id, null, null);
        Json.WriteString("group"u8, group);
        Json.WriteStartArray("topics"u8);
        foreach (var t in topics) Json.WriteStringValue(t);
        Json.WriteEndArray();
        if (memberId is not null) Json.WriteString("member_id"u8, memberId);
        if (sessionTimeoutMs is { } st) Json.WriteNumber("session_timeout_ms"u8, st);
        if (clientId is not null) Json.WriteString("client_id"u8, clientId);
        End();
    }

    public void Heartbeat(long id, string group, MemberGeneration member)
    {
        Begin("heartbeat"u8, id, null, null);
        Json.WriteString("group"u8, group);
        WriteMember(member);
        End();
    }

    public void LeaveGroup(long id, string group, string memberId)
    {
        Begin("leave_group"u8, id, null, null);
        Json.WriteString("group"u8, group);
        Json.WriteString("member_id"u8, memberId);
        End();
    }

    public void DescribeGroup(long id, string group)
    {
        Begin("describe_group"u8, id, null, null);
        Json.WriteString("group"u8, group);
        End();
    }

    public void ListGroups(long id)
    {
        Begin("list_groups"u8, id, null, null);
        End();
    }

    private void WriteMember(MemberGeneration member)
    {
        Json.WriteString("member_id"u8, member.MemberId);
        Json.WriteNumber("generation_id"u8, member.GenerationId);
    }

    public void Committed(long id, string group, string topic, int partition)
    {
        Begin("committed"u8, id, topic, partition);
        Json.WriteString("group"u8, group);
        End();
    }

    public void CreateTopic(long id, string topic, int partitions)
    {
        Begin("create_topic"u8, id, topic, null);
        Json.WriteNumber("partitions"u8, partitions);
        End();
    }

    public void CreatePartitions(long id, string topic, int partitions)
    {
        Begin("create_partitions"u8, id, topic, null);
        Json.WriteNumber("partitions"u8, partitions);
        End();
    }

    public void DeleteTopic(long id, string topic)
    {
        Begin("delete_topic"u8, id, topic, null);
        End();
    }

    /// <summary>reset_offsets: <paramref name="to"/> is "earliest", "latest" or "offset" (with <paramref name="offset"/>).</summary>
    public void ResetOffsets(long id, string group, string? topic, string to, long? offset, bool dryRun)
    {
        Begin("reset_offsets"u8, id, topic, null);
        Json.WriteString("group"u8, group);
        Json.WriteString("to"u8, to);
        if (offset is { } o) Json.WriteNumber("offset"u8, o);
        if (dryRun) Json.WriteBoolean("dry_run"u8, true);
        End();
    }

    /// <summary>find_coordinator: which node coordinates <paramref name="group"/> (its joins, heartbeats and commits).</summary>
    public void FindCoordinator(long id, string group)
    {
        Begin("find_coordinator"u8, id, null, null);
        Json.WriteString("group"u8, group);
        End();
    }

    public void InitProducerId(long id)
    {
        Begin("init_producer_id"u8, id, null, null);
        End();
    }

    public void Metadata(long id, string? topic = null)
    {
        Begin("metadata"u8, id, topic, null);
        End();
    }

    private void Begin(ReadOnlySpan<byte> type, long id, string? topic, int? partition)
    {
        Json.WriteStartObject();
        Json.WriteString("type"u8, type);
        Json.WriteNumber("id"u8, id);
        if (topic is not null) Json.WriteString("topic"u8, topic);
        if (partition is { } p) Json.WriteNumber("partition"u8, p);
    }

    private void End()
    {
        Json.WriteEndObject();
        EndLine();
    }
}
