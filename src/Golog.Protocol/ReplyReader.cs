using System.Text.Json;

namespace Golog.Protocol;

/// <summary>Parses framed reply lines (client side). Throws <see cref="FormatException"/> for a line that is not a framed reply.</summary>
public static class ReplyReader
{
    public static Reply Parse(ReadOnlySpan<byte> line)
    {
        try
        {
            var r = new Utf8JsonReader(line);
            if (!r.Read() || r.TokenType != JsonTokenType.StartObject) throw new FormatException("reply is not a JSON object");
            var reply = new Reply();
            while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
            {
                string name = r.GetString()!;
                r.Read();
                switch (name)
                {
                    case "id": reply.Id = r.TokenType == JsonTokenType.Number ? r.GetInt64() : null; break;
                    case "ok": reply.Ok = r.GetBoolean(); break;
                    case "error": reply.Error = ReadError(ref r); break;
                    case "topic": reply.Topic = r.GetString(); break;
                    case "partition": reply.Partition = r.GetInt32(); break;
                    case "partitions": reply.Partitions = r.GetInt32(); break;
                    case "base_offset": reply.BaseOffset = r.GetInt64(); break;
                    case "last_offset": reply.LastOffset = r.GetInt64(); break;
                    case "high_watermark": reply.HighWatermark = r.GetInt64(); break;
                    case "log_start_offset": reply.LogStartOffset = r.GetInt64(); break;
                    case "offset": reply.Offset = r.TokenType == JsonTokenType.Null ? null : r.GetInt64(); break;
                    case "records": reply.Records = ReadRecords(ref r); break;
                    case "topics": reply.Topics = MetadataReplyReader.ReadTopics(ref r); break;
                    case "brokers": reply.Brokers = MetadataReplyReader.ReadBrokers(ref r); break;
                    case "coordinator": reply.Coordinator = MetadataReplyReader.ReadNodeAddress(ref r); break;
                    case "controller": reply.Controller = r.TokenType == JsonTokenType.Null ? null : r.GetInt32(); break;
                    case "producer_id": reply.ProducerId = r.GetInt64(); break;
                    case "producer_epoch": reply.ProducerEpoch = r.GetInt16(); break;
                    case "group": reply.Group = r.GetString(); break;
                    case "generation_id": reply.GenerationId = r.GetInt32(); break;
                    case "member_id": reply.MemberId = r.GetString(); break;
                    case "protocol": reply.Protocol = r.GetString(); break;
                    case "kind": reply.Kind = r.GetString(); break;
                    case "heartbeat_interval_ms": reply.HeartbeatIntervalMs = r.GetInt32(); break;
                    case "session_timeout_ms": reply.SessionTimeoutMs = r.GetInt32(); break;
                    case "assignment": reply.Assignment = GroupReplyReader.ReadAssignment(ref r); break;
                    case "state": reply.State = r.GetString(); break;
                    case "members": reply.Members = GroupReplyReader.ReadMembers(ref r); break;
                    case "offsets": reply.Offsets = GroupReplyReader.ReadOffsets(ref r); break;
                    case "groups": reply.Groups = GroupReplyReader.ReadGroups(ref r); break;
                    case "dry_run": reply.DryRun = r.GetBoolean(); break;
                    case "reset": reply.Reset = GroupReplyReader.ReadReset(ref r); break;
                    default: r.Skip(); break;
                }
            }
            return reply;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            throw new FormatException("malformed reply: " + e.Message, e);
        }
    }

    internal static ProtocolError ReadError(ref Utf8JsonReader r)
    {
        string code = "", message = "";
        long? start = null, hw = null;
        NodeAddress? leader = null, coordinator = null;
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            string name = r.GetString()!;
            r.Read();
            switch (name)
            {
                case "code": code = r.GetString()!; break;
                case "message": message = r.GetString()!; break;
                case "log_start_offset": start = r.GetInt64(); break;
                case "high_watermark": hw = r.GetInt64(); break;
                case "leader": leader = MetadataReplyReader.ReadNodeAddress(ref r); break;
                case "coordinator": coordinator = MetadataReplyReader.ReadNodeAddress(ref r); break;
                default: r.Skip(); break;
            }
        }
        return new ProtocolError(code, message, start, hw) { Leader = leader, Coordinator = coordinator };
    }

    private static List<FetchedRecord> ReadRecords(ref Utf8JsonReader r)
    {
        var records = new List<FetchedRecord>();
        while (r.Read() && r.TokenType == JsonTokenType.StartObject)
        {
            long offset = 0, ts = 0;
            string? key = null, message = null;
            Dictionary<string, string>? headers = null;
            while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
            {
                if (r.ValueTextEquals("offset"u8)) { r.Read(); offset = r.GetInt64(); }
                else if (r.ValueTextEquals("timestamp"u8)) { r.Read(); ts = r.GetInt64(); }
                else if (r.ValueTextEquals("key"u8)) { r.Read(); key = r.GetString(); }
                else if (r.ValueTextEquals("message"u8)) { r.Read(); message = r.GetString(); }
                else if (r.ValueTextEquals("headers"u8))
                {
                    r.Read();
                    headers = [];
                    while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
                    {
                        string k = r.GetString()!;
                        r.Read();
                        headers[k] = r.GetString()!;
                    }
                }
                else { r.Read(); r.Skip(); }
            }
            records.Add(new FetchedRecord(offset, ts, key, message ?? "", headers));
        }
        return records;
    }
}
