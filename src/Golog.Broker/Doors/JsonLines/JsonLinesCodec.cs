using Golog.Core;
using Golog.Core.Groups;
using Golog.Protocol;
using Golog.Storage;
using MemberGeneration = Golog.Core.Groups.MemberGeneration;

namespace Golog.Broker.Doors.JsonLines;

/// <summary>
/// The JSON-lines wire (docs/protocol.md), seed and framed styles: a request is one '\n'-terminated line, decoded by
/// <see cref="RequestParser"/> and checked against the request limits (golog.request.*, golog.fetch.*); replies
/// come from <see cref="JsonReplyEncoder"/>. A line longer than request.max-line-bytes cannot be framed: it is
/// answered request_too_large and the connection closes.
/// </summary>
public sealed class JsonLinesCodec(BrokerSettings settings) : IWireCodec<JsonRequestContext>
{
    private readonly JsonReplyEncoder _encoder = new();
    private LineScanner _lines = new(settings.MaxLineBytes);

    public int Decode(ReadOnlySpan<byte> input, out DecodedRequest<JsonRequestContext> request)
    {
        request = default;
        switch (_lines.Next(input, out int lineLength, out int consumed))
        {
            case FrameStatus.NeedMore: return 0;
            case FrameStatus.TooLong:
                request = Oversized(input); // the connection closes and drops the rest: nothing after it can be framed
                _lines.Reset();
                return input.Length;
            default:
                request = FromLine(input[..lineLength]);
                return consumed;
        }
    }

    public ReadOnlySpan<byte> Encode(in JsonRequestContext context, ICoreResult result) => _encoder.Encode(context, result);

    public ReadOnlySpan<byte> EncodeRefusal(BrokerError error) => _encoder.EncodeUnasked(error);

    private DecodedRequest<JsonRequestContext> FromLine(ReadOnlySpan<byte> line)
    {
        var parsed = RequestParser.Parse(line);
        var context = new JsonRequestContext(parsed.Id);
        if (parsed.Error is { } error) return new(context, null, JsonWireMapping.FromWire(error));
        var r = parsed.Request!;
        return r.Type switch
        {
            RequestType.Produce => Produce(context, r),
            RequestType.Fetch => Fetch(context, r),
            RequestType.Commit => new(context, new CommitCommand(r.Group!, new TopicPartition(r.Topic!, r.Partition!.Value), r.Offset!.Value,
                r.MemberId is { } member ? new MemberGeneration(member, r.GenerationId!.Value) : null)),
            RequestType.Committed => new(context, new CommittedQuery(r.Group!, new TopicPartition(r.Topic!, r.Partition!.Value))),
            RequestType.CreateTopic => new(context, new CreateTopicCommand(r.Topic!, r.Partitions!.Value, r.ReplicationFactor, r.MinInsyncReplicas)),
            RequestType.Metadata => new(context, new MetadataQuery(r.Topic)),
            RequestType.JoinGroup => new(context, new JoinGroupCommand(r.Group!, r.MemberId, r.ClientId ?? "consumer", r.Topics,
                r.SessionTimeoutMs is { } ms ? TimeSpan.FromMilliseconds(ms) : null)),
            RequestType.Heartbeat => new(context, new HeartbeatCommand(r.Group!, new MemberGeneration(r.MemberId!, r.GenerationId!.Value))),
            RequestType.LeaveGroup => new(context, new LeaveGroupCommand(r.Group!, r.MemberId!)),
            RequestType.DescribeGroup => new(context, new DescribeGroupQuery(r.Group!)),
            RequestType.ListGroups => new(context, ListGroupsQuery.Instance),
            RequestType.CreatePartitions => new(context, new CreatePartitionsCommand(r.Topic!, r.Partitions!.Value)),
            RequestType.DeleteTopic => new(context, new DeleteTopicCommand(r.Topic!)),
            RequestType.ResetOffsets => new(context, new ResetOffsetsCommand(r.Group!, r.Topic, JsonWireMapping.ResetTarget(r.To!, r.Offset), r.DryRun)),
            RequestType.InitProducerId => new(context, InitProducerIdCommand.Instance),
            RequestType.FindCoordinator => new(context, new FindCoordinatorQuery(r.Group!)),
            _ => throw new InvalidOperationException($"the parser returned request type {r.Type}, which this codec does not know"),
        };
    }

    private DecodedRequest<JsonRequestContext> Produce(JsonRequestContext context, Request r)
    {
        if (r.Messages.Length > settings.MaxBatchMessages)
            return new(context, null, new BrokerError(BrokerErrorCode.RequestTooLarge,
                $"batch of {r.Messages.Length} messages exceeds the broker's limit of {settings.MaxBatchMessages} (request.max-batch-messages)"));
        foreach (var m in r.Messages)
            if (m.Length > settings.MaxMessageBytes)
                return new(context, null, new BrokerError(BrokerErrorCode.MessageTooLarge,
                    $"message of {m.Length} bytes exceeds the broker's limit of {settings.MaxMessageBytes} bytes (request.max-message-bytes)"));
        var headers = r.Headers.Select(h => new RecordHeader(h.Key, h.Value)).ToArray();
        return new(context, new ProduceCommand(r.Topic!, r.Partition, new RecordsToAppend(r.Messages, r.Key, headers),
            JsonWireMapping.ToCore(r.Acks), r.Producer is { } p ? new ProducerStamp(p.ProducerId, p.Epoch, p.FirstSequence) : null));
    }

    private DecodedRequest<JsonRequestContext> Fetch(JsonRequestContext context, Request r)
    {
        int maxBytes = Math.Min(r.MaxBytes ?? settings.DefaultFetchMaxBytes, settings.MaxFetchBytes);
        int maxMessages = r.IsFramed ? r.MaxMessages ?? settings.DefaultFetchMaxMessages : settings.SeedFetchMaxMessages;
        var maxWait = TimeSpan.FromMilliseconds(Math.Min(r.MaxWaitMs ?? 0, settings.MaxFetchWait.TotalMilliseconds));
        return new(context with { Format = r.Format }, new FetchCommand(r.Topic!, r.Partition!.Value, r.Offset!.Value, maxMessages, maxBytes, maxWait),
            ReplyBytes: maxBytes);
    }

    /// <summary>The rest of an oversized line cannot be framed: answer request_too_large (framed if it began with an id) and close.</summary>
    private DecodedRequest<JsonRequestContext> Oversized(ReadOnlySpan<byte> line)
    {
        bool framed = line[..Math.Min(4096, line.Length)].IndexOf("\"id\""u8) >= 0;
        var context = new JsonRequestContext(framed ? new RequestId("null"u8.ToArray()) : null);
        return new(context, null, new BrokerError(BrokerErrorCode.RequestTooLarge,
            $"request line exceeds the broker's limit of {settings.MaxLineBytes} bytes (request.max-line-bytes); closing the connection"), Close: true);
    }
}
