using Golog.Core;

namespace Golog.Broker.Doors.Kafka.Apis;

/// <summary>
/// ApiVersions (18) v0-v3: every API of the table with the versions it advertises, answered by the door itself.
/// A version above 3 is answered UNSUPPORTED_VERSION with the full list in the v0 layout, which is how clients learn
/// to retry lower (librdkafka tries v3 first, KafkaJS v2). The response header is always v0, even for v3.
/// </summary>
public sealed class ApiVersionsApi(IReadOnlyList<IKafkaApi> apis) : IKafkaApi
{
    private const short Highest = 3;
    private const short UnsupportedVersion = 35;

    public short Key => 18;
    public string Name => "ApiVersions";
    public short MinVersion => 0;
    public short MaxVersion => Highest;
    public bool Serves(short version) => version >= 0; // newer ones get the error and the list
    public bool IsFlexible(short version) => version == Highest;

    public DecodedRequest<KafkaRequestContext> Decode(KafkaRequestHeader header, ref KafkaReader body)
    {
        if (header.ApiVersion == Highest)
        {
            // client_software_name and _version are not checked (Kafka's regex check makes librdkafka fall back to v0)
            body.CompactNullableString("client_software_name");
            body.CompactNullableString("client_software_version");
            body.SkipTaggedFields("tagged fields");
        }
        return new(new KafkaRequestContext(header), null) { Answer = AnsweredByDoor.Instance };
    }

    public void Encode(KafkaWriter w, in KafkaRequestContext context, ICoreResult result)
    {
        short version = context.Header.ApiVersion;
        bool unsupported = version > Highest;
        w.Int16(unsupported ? UnsupportedVersion : (short)0);
        if (version == Highest)
        {
            w.CompactArrayLength(apis.Count);
            foreach (var api in apis)
            {
                WriteRange(w, api);
                w.NoTaggedFields();
            }
            w.Int32(0); // throttle_time_ms
            w.NoTaggedFields();
            return;
        }
        w.ArrayLength(apis.Count);
        foreach (var api in apis) WriteRange(w, api);
        if (version is 1 or 2) w.Int32(0); // throttle_time_ms
    }

    private static void WriteRange(KafkaWriter w, IKafkaApi api)
    {
        w.Int16(api.Key);
        w.Int16(api.MinVersion);
        w.Int16(api.MaxVersion);
    }
}
