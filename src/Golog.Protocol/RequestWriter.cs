using System.Buffers;

namespace Golog.Protocol;

/// <summary>Writes framed-style request lines, for clients. Ids are numbers the client chooses.</summary>
public sealed class RequestWriter(IBufferWriter<byte> output) : JsonLines(output)
{
    public void Produce(long id, string topic, int? partition, IReadOnlyList<ReadOnlyMemory<byte>> messages,
        string? key = null, IReadOnlyDictionary<string, string>? headers = null)
    {
        Begin("produce"u8, id, topic, partition);
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

    public void Fetch(long id, string topic, int partition, long offset, int? maxMessages = null, int? maxBytes = null, int? maxWaitMs = null)
    {
        Begin("fetch"u8, id, topic, partition);
        Json.WriteNumber("offset"u8, offset);
        if (maxMessages is { } mm) Json.WriteNumber("max_messages"u8, mm);
        if (maxBytes is { } mb) Json.WriteNumber("max_bytes"u8, mb);
        if (maxWaitMs is { } mw) Json.WriteNumber("max_wait_ms"u8, mw);
        End();
    }

    public void Commit(long id, string group, string topic, int partition, long offset)
    {
        Begin("commit"u8, id, topic, partition);
        Json.WriteString("group"u8, group);
        Json.WriteNumber("offset"u8, offset);
        End();
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
