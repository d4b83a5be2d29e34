using System.Text.Json;
using System.Text.Unicode;

namespace Golog.Protocol;

/// <summary>
/// Decodes one request line with a single forward pass of <see cref="Utf8JsonReader"/>: no DOM, one buffer per
/// request for the unescaped strings. The first problem found is reported; reading goes on after an ill-typed member
/// so that an "id" written later is still found and the error is framed.
/// </summary>
public static class RequestParser
{
    private const int MaxIdBytes = 256;
    private static readonly JsonReaderOptions Options = new() { MaxDepth = 16 };

    // One list per thread for the slices of a "messages" array, reused by every parse: a fresh list growing to 1000
    // entries cost a third of a batch request's allocations. Parse is synchronous, so no two parses share it.
    [ThreadStatic] private static List<ReadOnlyMemory<byte>>? t_messages;

    public static ParseResult Parse(ReadOnlySpan<byte> line)
    {
        try { return ParseLine(line); }
        finally { t_messages?.Clear(); } // the request has its own copy; keep no reference to its buffer
    }

    private static ParseResult ParseLine(ReadOnlySpan<byte> line)
    {
        if (!Utf8.IsValid(line)) return Fail(null, ErrorCode.InvalidJson, "the request is not valid UTF-8");
        if (line.Trim(" \t\r\n"u8).IsEmpty) return Fail(null, ErrorCode.InvalidJson, "empty request line");
        var f = new Fields { Arena = new byte[line.Length] };
        var reader = new Utf8JsonReader(line, Options);
        int memberStart = -1; // where the last member name began, to say where a syntax error is
        try
        {
            reader.Read();
            if (reader.TokenType != JsonTokenType.StartObject)
                return Fail(null, ErrorCode.InvalidJson, "a request must be one JSON object");
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                memberStart = (int)reader.TokenStartIndex;
                ReadMember(ref reader, ref f);
            }
            if (reader.Read()) return Fail(f.Id, ErrorCode.InvalidJson, "unexpected data after the request object");
        }
        catch (JsonException e)
        {
            return Fail(f.Id, ErrorCode.InvalidJson, "malformed JSON: " + JsonSyntaxError.Describe(line, JsonSyntaxError.Position(line, e),
                LastMemberName(line, memberStart), reader.CurrentDepth, Options.MaxDepth));
        }
        // Utf8JsonReader throws InvalidOperationException, not JsonException, when it unescapes a member name or a
        // string whose \u escapes leave a lone surrogate ("\ud800"): malformed text, answered like any other.
        catch (InvalidOperationException)
        {
            return Fail(f.Id, ErrorCode.InvalidJson, $"malformed JSON: a \\u escape in the string at column {JsonSyntaxError.Column(line, (int)reader.TokenStartIndex)} " +
                "is half of a surrogate pair, which is no character");
        }
        if (f.Error is { } error) return new ParseResult(null, error, f.Id);
        return Validate(ref f);
    }

    private struct Fields
    {
        public byte[] Arena;
        public int ArenaUsed;
        public RequestId? Id;
        public ProtocolError? Error;
        public string? Type, Topic, Group, MemberId, ClientId, To;
        public bool? DryRun;
        public int? Partition, MaxMessages, MaxBytes, MaxWaitMs, Partitions, GenerationId, SessionTimeoutMs, ReplicationFactor, MinInsyncReplicas;
        public List<string>? Topics;
        public long? Offset, ProducerId;
        public int? ProducerEpoch, Sequence;
        public AckLevel? Acks;
        public FetchFormat? Format;
        public ReadOnlyMemory<byte>? Message, Key;
        public List<ReadOnlyMemory<byte>>? Messages;
        public List<KeyValuePair<ReadOnlyMemory<byte>, ReadOnlyMemory<byte>>>? Headers;

        public void Problem(string message) => Error ??= new ProtocolError(ErrorCode.InvalidRequest, message);
    }

    private static void ReadMember(ref Utf8JsonReader r, ref Fields f)
    {
        if (r.ValueTextEquals("type"u8)) f.Type = ReadString(ref r, ref f, "type");
        else if (r.ValueTextEquals("id"u8)) ReadId(ref r, ref f);
        else if (r.ValueTextEquals("topic"u8)) f.Topic = ReadString(ref r, ref f, "topic");
        else if (r.ValueTextEquals("group"u8)) f.Group = ReadString(ref r, ref f, "group");
        else if (r.ValueTextEquals("partition"u8)) f.Partition = ReadInt(ref r, ref f, "partition", 0);
        else if (r.ValueTextEquals("partitions"u8)) f.Partitions = ReadInt(ref r, ref f, "partitions", 1);
        else if (r.ValueTextEquals("replication_factor"u8)) f.ReplicationFactor = ReadInt(ref r, ref f, "replication_factor", 1);
        else if (r.ValueTextEquals("min_insync_replicas"u8)) f.MinInsyncReplicas = ReadInt(ref r, ref f, "min_insync_replicas", 1);
        else if (r.ValueTextEquals("max_messages"u8)) f.MaxMessages = ReadInt(ref r, ref f, "max_messages", 1);
        else if (r.ValueTextEquals("max_bytes"u8)) f.MaxBytes = ReadInt(ref r, ref f, "max_bytes", 1);
        else if (r.ValueTextEquals("max_wait_ms"u8)) f.MaxWaitMs = ReadInt(ref r, ref f, "max_wait_ms", 0);
        else if (r.ValueTextEquals("offset"u8)) f.Offset = ReadLong(ref r, ref f, "offset");
        else if (r.ValueTextEquals("message"u8)) f.Message = ReadBytes(ref r, ref f, "message");
        else if (r.ValueTextEquals("key"u8)) f.Key = ReadBytes(ref r, ref f, "key", nullable: true);
        else if (r.ValueTextEquals("messages"u8)) ReadMessages(ref r, ref f);
        else if (r.ValueTextEquals("headers"u8)) ReadHeaders(ref r, ref f);
        else if (r.ValueTextEquals("topics"u8)) ReadTopics(ref r, ref f);
        else if (r.ValueTextEquals("member_id"u8)) f.MemberId = ReadString(ref r, ref f, "member_id");
        else if (r.ValueTextEquals("client_id"u8)) f.ClientId = ReadString(ref r, ref f, "client_id");
        else if (r.ValueTextEquals("generation_id"u8)) f.GenerationId = ReadInt(ref r, ref f, "generation_id", int.MinValue);
        else if (r.ValueTextEquals("session_timeout_ms"u8)) f.SessionTimeoutMs = ReadInt(ref r, ref f, "session_timeout_ms", 1);
        else if (r.ValueTextEquals("to"u8)) f.To = ReadString(ref r, ref f, "to");
        else if (r.ValueTextEquals("dry_run"u8)) f.DryRun = ReadBool(ref r, ref f, "dry_run");
        else if (r.ValueTextEquals("acks"u8)) f.Acks = ReadAcks(ref r, ref f);
        else if (r.ValueTextEquals("format"u8)) f.Format = ReadFormat(ref r, ref f);
        else if (r.ValueTextEquals("producer_id"u8)) f.ProducerId = ReadLong(ref r, ref f, "producer_id");
        else if (r.ValueTextEquals("producer_epoch"u8)) f.ProducerEpoch = ReadInt(ref r, ref f, "producer_epoch", 0);
        else if (r.ValueTextEquals("sequence"u8)) f.Sequence = ReadInt(ref r, ref f, "sequence", 0);
        else { r.Read(); r.Skip(); } // unknown members are ignored, for forward compatibility
    }

    private static void ReadId(ref Utf8JsonReader r, ref Fields f)
    {
        r.Read();
        if (r.TokenType is not (JsonTokenType.String or JsonTokenType.Number) || r.ValueSpan.Length > MaxIdBytes)
        {
            r.Skip();
            f.Problem($"\"id\" must be a JSON string or number of at most {MaxIdBytes} bytes");
            return;
        }
        f.Id = new RequestId(r.TokenType == JsonTokenType.String ? [(byte)'"', .. r.ValueSpan, (byte)'"'] : r.ValueSpan.ToArray());
    }

    private static string? ReadString(ref Utf8JsonReader r, ref Fields f, string name)
    {
        r.Read();
        if (r.TokenType == JsonTokenType.String) return r.GetString();
        r.Skip();
        f.Problem($"\"{name}\" must be a string");
        return null;
    }

    private static bool? ReadBool(ref Utf8JsonReader r, ref Fields f, string name)
    {
        r.Read();
        if (r.TokenType is JsonTokenType.True or JsonTokenType.False) return r.GetBoolean();
        r.Skip();
        f.Problem($"\"{name}\" must be true or false");
        return null;
    }

    /// <summary>"acks": the string "all", or the numbers 1 and 0, as Kafka producers spell them.</summary>
    private static AckLevel? ReadAcks(ref Utf8JsonReader r, ref Fields f)
    {
        r.Read();
        if (r.TokenType == JsonTokenType.String && r.ValueTextEquals("all"u8)) return AckLevel.All;
        if (r.TokenType == JsonTokenType.Number && r.TryGetInt32(out int n) && n is 0 or 1) return n == 1 ? AckLevel.Leader : AckLevel.None;
        r.Skip();
        f.Problem("\"acks\" must be \"all\", 1 or 0");
        return null;
    }

    /// <summary>"format" of a fetch reply: "records" or "batches".</summary>
    private static FetchFormat? ReadFormat(ref Utf8JsonReader r, ref Fields f)
    {
        r.Read();
        if (r.TokenType == JsonTokenType.String && r.ValueTextEquals("records"u8)) return FetchFormat.Records;
        if (r.TokenType == JsonTokenType.String && r.ValueTextEquals("batches"u8)) return FetchFormat.Batches;
        r.Skip();
        f.Problem("\"format\" must be \"records\" or \"batches\"");
        return null;
    }

    private static ReadOnlyMemory<byte>? ReadBytes(ref Utf8JsonReader r, ref Fields f, string name, bool nullable = false)
    {
        r.Read();
        if (r.TokenType == JsonTokenType.String) return CopyToArena(ref r, ref f);
        r.Skip();
        if (!(nullable && r.TokenType == JsonTokenType.Null)) f.Problem($"\"{name}\" must be a string");
        return null;
    }

    private static ReadOnlyMemory<byte> CopyToArena(ref Utf8JsonReader r, ref Fields f)
    {
        int n = r.CopyString(f.Arena.AsSpan(f.ArenaUsed));
        var slice = new ReadOnlyMemory<byte>(f.Arena, f.ArenaUsed, n);
        f.ArenaUsed += n;
        return slice;
    }

    private static int? ReadInt(ref Utf8JsonReader r, ref Fields f, string name, int min)
    {
        r.Read();
        if (r.TokenType == JsonTokenType.Number && r.TryGetInt32(out int v)) return v;
        r.Skip();
        f.Problem(NotAnInteger(name, min));
        return null;
    }

    private static long? ReadLong(ref Utf8JsonReader r, ref Fields f, string name)
    {
        r.Read();
        if (r.TokenType == JsonTokenType.Number && r.TryGetInt64(out long v)) return v;
        r.Skip();
        f.Problem(NotAnInteger(name, 0));
        return null;
    }

    /// <summary>
    /// One message for every way a number member can be wrong (a string "0", a fraction, out of range, below its
    /// minimum), in the terms of what it must be.
    /// </summary>
    private static string NotAnInteger(string name, long min) => min switch
    {
        0 => $"\"{name}\" must be a non-negative integer",
        1 => $"\"{name}\" must be a positive integer",
        _ => $"\"{name}\" must be an integer",
    };

    private static void ReadMessages(ref Utf8JsonReader r, ref Fields f)
    {
        r.Read();
        if (r.TokenType != JsonTokenType.StartArray)
        {
            r.Skip();
            f.Problem("\"messages\" must be an array of strings");
            return;
        }
        var list = t_messages ??= [];
        list.Clear();
        while (r.Read() && r.TokenType != JsonTokenType.EndArray)
        {
            if (r.TokenType == JsonTokenType.String) list.Add(CopyToArena(ref r, ref f));
            else { r.Skip(); f.Problem("\"messages\" must be an array of strings"); }
        }
        f.Messages = list;
    }

    private static void ReadTopics(ref Utf8JsonReader r, ref Fields f)
    {
        r.Read();
        if (r.TokenType != JsonTokenType.StartArray)
        {
            r.Skip();
            f.Problem("\"topics\" must be an array of strings");
            return;
        }
        var list = new List<string>();
        while (r.Read() && r.TokenType != JsonTokenType.EndArray)
        {
            if (r.TokenType == JsonTokenType.String) list.Add(r.GetString()!);
            else { r.Skip(); f.Problem("\"topics\" must be an array of strings"); }
        }
        f.Topics = list;
    }

    private static void ReadHeaders(ref Utf8JsonReader r, ref Fields f)
    {
        r.Read();
        if (r.TokenType != JsonTokenType.StartObject)
        {
            r.Skip();
            f.Problem("\"headers\" must be an object of string values");
            return;
        }
        var list = new List<KeyValuePair<ReadOnlyMemory<byte>, ReadOnlyMemory<byte>>>();
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            var key = CopyToArena(ref r, ref f);
            r.Read();
            if (r.TokenType == JsonTokenType.String) list.Add(new(key, CopyToArena(ref r, ref f)));
            else { r.Skip(); f.Problem("\"headers\" must be an object of string values"); }
        }
        f.Headers = list;
    }

    private static ParseResult Validate(ref Fields f)
    {
        bool framed = f.Id is not null;
        if (f.Type is null) return Fail(f.Id, ErrorCode.InvalidRequest, "missing \"type\"");
        RequestType type;
        switch (f.Type)
        {
            case "produce": type = RequestType.Produce; break;
            case "fetch": type = RequestType.Fetch; break;
            case "commit": type = RequestType.Commit; break;
            case "committed": type = RequestType.Committed; break;
            case "create_topic": type = RequestType.CreateTopic; break;
            case "metadata": type = RequestType.Metadata; break;
            case "join_group": type = RequestType.JoinGroup; break;
            case "heartbeat": type = RequestType.Heartbeat; break;
            case "leave_group": type = RequestType.LeaveGroup; break;
            case "describe_group": type = RequestType.DescribeGroup; break;
            case "list_groups": type = RequestType.ListGroups; break;
            case "create_partitions": type = RequestType.CreatePartitions; break;
            case "delete_topic": type = RequestType.DeleteTopic; break;
            case "reset_offsets": type = RequestType.ResetOffsets; break;
            case "init_producer_id": type = RequestType.InitProducerId; break;
            case "find_coordinator": type = RequestType.FindCoordinator; break;
            default: return Fail(f.Id, ErrorCode.UnknownType, $"unknown request type \"{Truncate(f.Type)}\"");
        }
        if (!framed && type is not (RequestType.Produce or RequestType.Fetch))
            return Fail(null, ErrorCode.InvalidRequest, $"\"{f.Type}\" requests need an \"id\" (framed style)");

        string? problem = type switch
        {
            RequestType.Produce => Need(f.Topic, "topic") ?? ProduceProblem(ref f, framed),
            RequestType.Fetch => Need(f.Topic, "topic") ?? (framed ? Need(f.Partition, "partition") ?? Need(f.Offset, "offset")
                                 : f.Format is null ? null : "\"format\" needs a framed request (with an \"id\"): seed replies are text lines"),
            RequestType.Commit => Need(f.Group, "group") ?? Need(f.Topic, "topic") ?? Need(f.Partition, "partition") ?? Need(f.Offset, "offset")
                                  ?? MemberProblem(ref f),
            RequestType.Committed => Need(f.Group, "group") ?? Need(f.Topic, "topic") ?? Need(f.Partition, "partition"),
            RequestType.CreateTopic => Need(f.Topic, "topic") ?? Need(f.Partitions, "partitions"),
            RequestType.JoinGroup => Need(f.Group, "group") ?? Need(f.Topics, "topics")
                                     ?? (f.Topics!.Count == 0 ? "\"topics\" must not be empty" : null),
            RequestType.Heartbeat => Need(f.Group, "group") ?? Need(f.MemberId, "member_id") ?? Need(f.GenerationId, "generation_id"),
            RequestType.LeaveGroup => Need(f.Group, "group") ?? Need(f.MemberId, "member_id"),
            RequestType.DescribeGroup => Need(f.Group, "group"),
            RequestType.FindCoordinator => Need(f.Group, "group"),
            RequestType.CreatePartitions => Need(f.Topic, "topic") ?? Need(f.Partitions, "partitions"),
            RequestType.DeleteTopic => Need(f.Topic, "topic"),
            RequestType.ResetOffsets => Need(f.Group, "group") ?? Need(f.To, "to") ?? ResetProblem(ref f),
            _ => null,
        };
        problem ??= RangeProblem(ref f);
        if (problem is not null) return Fail(f.Id, ErrorCode.InvalidRequest, problem);

        var request = new Request
        {
            Type = type,
            Id = f.Id,
            Topic = f.Topic,
            Group = f.Group,
            // Seed style keeps the Go seed's zero values: partition 0, offset 0.
            Partition = f.Partition ?? (framed || type != RequestType.Produce && type != RequestType.Fetch ? null : 0),
            Offset = f.Offset ?? (framed ? null : 0),
            Messages = f.Messages is { } many ? [.. many] : f.Message is { } one ? [one] : [],
            Key = f.Key,
            Headers = f.Headers is { } h ? [.. h] : [],
            MaxMessages = f.MaxMessages,
            MaxBytes = f.MaxBytes,
            MaxWaitMs = f.MaxWaitMs,
            Format = f.Format ?? FetchFormat.Records,
            Partitions = f.Partitions,
            ReplicationFactor = f.ReplicationFactor,
            MinInsyncReplicas = f.MinInsyncReplicas,
            Topics = f.Topics is { } topics ? [.. topics] : [],
            MemberId = f.MemberId,
            GenerationId = f.GenerationId,
            SessionTimeoutMs = f.SessionTimeoutMs,
            ClientId = f.ClientId,
            To = f.To,
            DryRun = f.DryRun ?? false,
            Acks = f.Acks ?? AckLevel.All,
            Producer = f.ProducerId is { } producerId ? new ProducerSequence(producerId, (short)f.ProducerEpoch!.Value, f.Sequence!.Value) : null,
        };
        return new ParseResult(request, null, f.Id);
    }

    private static string? ProduceProblem(ref Fields f, bool framed)
    {
        if (f.Message is not null && f.Messages is not null) return "give either \"message\" or \"messages\", not both";
        if (f.Message is null && f.Messages is null) return "missing \"message\" (or \"messages\")";
        if (f.Messages is { Count: 0 }) return "\"messages\" must not be empty";
        if (!framed && (f.Messages is not null || f.Key is not null || f.Headers is not null))
            return "\"messages\", \"key\" and \"headers\" need an \"id\" (framed style)";
        return ProducerProblem(ref f, framed);
    }

    /// <summary>An idempotent producer names itself completely (id, epoch, sequence) or not at all; its retries need the framed reply's offsets.</summary>
    private static string? ProducerProblem(ref Fields f, bool framed)
    {
        int given = (f.ProducerId is null ? 0 : 1) + (f.ProducerEpoch is null ? 0 : 1) + (f.Sequence is null ? 0 : 1);
        if (given == 0) return null;
        if (given < 3) return "give \"producer_id\", \"producer_epoch\" and \"sequence\" together, or none of them";
        if (!framed) return "\"producer_id\", \"producer_epoch\" and \"sequence\" need an \"id\" (framed style)";
        return f.ProducerEpoch > short.MaxValue ? $"\"producer_epoch\" must be an integer from 0 to {short.MaxValue}" : null;
    }

    /// <summary>A commit speaks for a group member with both its id and generation (Kafka's fencing), or with neither (manual mode).</summary>
    private static string? MemberProblem(ref Fields f) =>
        (f.MemberId is null) != (f.GenerationId is null) ? "give both \"member_id\" and \"generation_id\", or neither" : null;

    private static string? ResetProblem(ref Fields f) => f.To switch
    {
        "earliest" or "latest" => f.Offset is null ? null : $"\"offset\" goes with \"to\":\"offset\", not \"{f.To}\"",
        "offset" => Need(f.Offset, "offset"),
        _ => $"\"to\" must be \"earliest\", \"latest\" or \"offset\"",
    };

    private static string? RangeProblem(ref Fields f)
    {
        if (f.Partition < 0) return NotAnInteger("partition", 0);
        if (f.Offset < 0) return NotAnInteger("offset", 0);
        if (f.ProducerId < 0) return NotAnInteger("producer_id", 0);
        if (f.ProducerEpoch < 0) return NotAnInteger("producer_epoch", 0);
        if (f.Sequence < 0) return NotAnInteger("sequence", 0);
        if (f.Partitions < 1) return NotAnInteger("partitions", 1);
        if (f.ReplicationFactor < 1) return NotAnInteger("replication_factor", 1);
        if (f.MinInsyncReplicas < 1) return NotAnInteger("min_insync_replicas", 1);
        if (f.MaxMessages < 1) return NotAnInteger("max_messages", 1);
        if (f.MaxBytes < 1) return NotAnInteger("max_bytes", 1);
        if (f.MaxWaitMs < 0) return NotAnInteger("max_wait_ms", 0);
        if (f.SessionTimeoutMs < 1) return NotAnInteger("session_timeout_ms", 1);
        return null;
    }

    private static string? Need<T>(T? value, string name) => value is null ? $"missing \"{name}\"" : null;

    private static ParseResult Fail(RequestId? id, string code, string message) => new(null, new ProtocolError(code, message), id);

    private static string Truncate(string s) => s.Length <= 64 ? s : s[..64] + "...";

    /// <summary>The member name that starts at <paramref name="start"/> (its opening quote), raw as written; null if none was read.</summary>
    private static string? LastMemberName(ReadOnlySpan<byte> line, int start)
    {
        if (start < 0) return null;
        var name = line[(start + 1)..];
        int end = name.IndexOf((byte)'"');
        return System.Text.Encoding.UTF8.GetString(end < 0 ? name : name[..end]);
    }
}
