using System.Net;
using System.Text.Json;

namespace Golog.Protocol;

/// <summary>
/// The format of golog.ports-file, {"json":{"host":"127.0.0.1","port":9092},"kafka":{...}}, one key per door: the
/// broker writes it (Golog.Broker.PortsFile) and tools read it (golog-perf --ports-file), so it lives here, below both.
/// </summary>
public static class PortsFileFormat
{
    /// <summary>The Kafka door's key (Golog.Broker.Doors.Kafka.KafkaDoor.Name).</summary>
    public const string KafkaDoor = "kafka";

    private sealed record Entry(string Host, int Port);

    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public static byte[] Serialize(IReadOnlyDictionary<string, IPEndPoint> doors) =>
        JsonSerializer.SerializeToUtf8Bytes(doors.ToDictionary(d => d.Key, d => new Entry(d.Value.Address.ToString(), d.Value.Port)), Json);

    /// <summary>The doors' endpoints as <see cref="Serialize"/> wrote them.</summary>
    public static IReadOnlyDictionary<string, IPEndPoint> Read(string path)
    {
        var entries = JsonSerializer.Deserialize<Dictionary<string, Entry>>(File.ReadAllBytes(path), Json)
            ?? throw new InvalidDataException($"{path} is not a ports file");
        return entries.ToDictionary(e => e.Key, e => new IPEndPoint(IPAddress.Parse(e.Value.Host), e.Value.Port));
    }
}
