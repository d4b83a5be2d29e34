using Golog.Core;

namespace Golog.Broker.Doors.JsonLines;

/// <summary>The JSON-lines door (golog.host, golog.port): the seed's wire and Golog's framed one, on one listener.</summary>
public static class JsonLinesDoor
{
    public const string Name = "json";

    public static Door Create(BrokerCore core, BrokerSettings settings) =>
        Door.Create(Name, settings.Host, settings.Port, core, settings, () => new JsonLinesCodec(settings));
}
