using Confluent.Kafka;
using Golog.Protocol;

namespace Golog.Perf;

/// <summary>
/// Where --protocol kafka points Confluent.Kafka: --bootstrap, the "kafka" entry of the broker's --ports-file, or
/// with --mock librdkafka's in-memory mock cluster (the ceiling: the same client, no broker behind it).
/// </summary>
public static class KafkaTarget
{
    public static ClientConfig Config(PerfOptions o)
    {
        var config = new ClientConfig { ClientId = "golog-perf" };
        if (o.Mock) config.Set("test.mock.num.brokers", "1");
        else config.BootstrapServers = Bootstrap(o);
        return config;
    }

    private static string Bootstrap(PerfOptions o)
    {
        if (o.Bootstrap is { } given) return given;
        if (o.PortsFile is { } path)
        {
            if (!File.Exists(path)) throw new InvalidOperationException($"no ports file at {path}: is the broker running with --ports-file {path}?");
            return PortsFileFormat.Read(path).TryGetValue(PortsFileFormat.KafkaDoor, out var kafka)
                ? $"{kafka.Address}:{kafka.Port}"
                : throw new InvalidOperationException($"the ports file {path} has no \"{PortsFileFormat.KafkaDoor}\" entry: is the broker's Kafka door enabled?");
        }
        return $"{o.Broker.Host}:9093";
    }
}
