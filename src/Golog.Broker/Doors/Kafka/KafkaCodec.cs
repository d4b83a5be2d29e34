using System.Buffers.Binary;
using Golog.Core;

namespace Golog.Broker.Doors.Kafka;

/// <summary>
/// The Kafka wire (docs/protocol.md, "Kafka door"): a request is an int32 size and that many bytes, a request header
/// and an API-specific body; the <see cref="KafkaApiTable"/> finds the API by key. Whatever cannot be served the way
/// a Kafka broker would serve it closes the connection after the answers already due, as Kafka does: a frame size
/// that is negative or over golog.kafka.max-request-bytes, a truncated or garbled request, an unknown key, a version
/// not served (ApiVersions excepted: it answers UNSUPPORTED_VERSION with the versions it has).
/// </summary>
public sealed class KafkaCodec(KafkaApiTable apis, int maxRequestBytes) : IWireCodec<KafkaRequestContext>
{
    private const int SizeBytes = 4;
    private readonly KafkaWriter _writer = new();

    public int Decode(ReadOnlySpan<byte> input, out DecodedRequest<KafkaRequestContext> request)
    {
        request = default;
        if (input.Length < SizeBytes) return 0;
        int size = BinaryPrimitives.ReadInt32BigEndian(input);
        if (size < 0 || size > maxRequestBytes)
        {
            request = Unservable(default, size < 0
                ? $"request size {size} is negative"
                : $"request of {size} bytes exceeds the broker's limit of {maxRequestBytes} bytes (golog.kafka.max-request-bytes)");
            return input.Length; // nothing after it can be framed
        }
        if (input.Length - SizeBytes < size) return 0;
        request = FromFrame(input.Slice(SizeBytes, size));
        return SizeBytes + size;
    }

    public ReadOnlySpan<byte> Encode(in KafkaRequestContext context, ICoreResult result)
    {
        if (context.NoReply) return [];
        _writer.BeginFrame(context.Header.CorrelationId);
        apis.Find(context.Header.ApiKey)!.Encode(_writer, context, result);
        return _writer.EndFrame();
    }

    /// <summary>Kafka has no message for a client it never answered: a refused connection is just closed.</summary>
    public ReadOnlySpan<byte> EncodeRefusal(BrokerError error) => [];

    private DecodedRequest<KafkaRequestContext> FromFrame(ReadOnlySpan<byte> frame)
    {
        var reader = new KafkaReader(frame);
        KafkaRequestHeader header;
        try
        {
            header = new KafkaRequestHeader(reader.Int16("api_key"), reader.Int16("api_version"), reader.Int32("correlation_id"),
                reader.NullableString("client_id"));
        }
        catch (KafkaFormatException e) { return Unservable(default, "request header: " + e.Message); }
        return DecodeBody(header, ref reader);
    }

    private DecodedRequest<KafkaRequestContext> DecodeBody(KafkaRequestHeader header, ref KafkaReader reader)
    {
        var api = apis.Find(header.ApiKey);
        if (api is null) return Unservable(header, $"API key {header.ApiKey} is not served (ApiVersions lists what is)");
        if (!api.Serves(header.ApiVersion))
            return Unservable(header, $"{api.Name} v{header.ApiVersion} is not served (ApiVersions lists what is)");
        try
        {
            if (api.IsFlexible(header.ApiVersion)) reader.SkipTaggedFields("request header tagged fields");
            return api.Decode(header, ref reader);
        }
        catch (KafkaFormatException e) { return Unservable(header, $"{api.Name} v{header.ApiVersion}: {e.Message}"); }
    }

    /// <summary>A request the broker cannot serve: nothing is answered and the connection closes, the reason in the log.</summary>
    private static DecodedRequest<KafkaRequestContext> Unservable(KafkaRequestHeader header, string reason) =>
        new(new KafkaRequestContext(header, NoReply: true), null, new BrokerError(BrokerErrorCode.InvalidRequest, reason), Close: true);
}
