using Golog.Core;

namespace Golog.Broker.Doors.Kafka;

/// <summary>The request header every Kafka request starts with (v1; v2 adds tagged fields, skipped by the codec).</summary>
public readonly record struct KafkaRequestHeader(short ApiKey, short ApiVersion, int CorrelationId, string? ClientId);

/// <summary>
/// What the Kafka door remembers about a request until it is answered: which API and version to answer in, the
/// correlation id, and the API's own <see cref="State"/> (the request's topics and partitions, in request order,
/// for example). <see cref="NoReply"/>: the client expects no response (acks = 0, or a request that closes the connection).
/// </summary>
public readonly record struct KafkaRequestContext(KafkaRequestHeader Header, object? State = null, bool NoReply = false);

/// <summary>
/// One Kafka API: its key, the version range advertised in ApiVersions, which of those it serves, how a request body
/// becomes core commands, and how their results become the response body. One file per API under Apis/ (see
/// the README next to this file).
/// </summary>
public interface IKafkaApi
{
    short Key { get; }
    string Name { get; }
    short MinVersion { get; }
    short MaxVersion { get; }

    /// <summary>Versions in [Min, Max] that are advertised for old clients' sake but not served: such a request closes the connection.</summary>
    bool Serves(short version) => version >= MinVersion && version <= MaxVersion;

    /// <summary>Flexible versions use request header v2 (tagged fields after the client id).</summary>
    bool IsFlexible(short version) => false;

    /// <summary>The request body (after the header) as core work; throws <see cref="KafkaFormatException"/> when it does not parse.</summary>
    DecodedRequest<KafkaRequestContext> Decode(KafkaRequestHeader header, ref KafkaReader body);

    /// <summary>The response body (after the correlation id) for <paramref name="result"/>.</summary>
    void Encode(KafkaWriter writer, in KafkaRequestContext context, ICoreResult result);
}
