using Golog.Broker;
using Golog.Broker.Doors.JsonLines;
using Golog.Broker.Doors.Kafka;
using Microsoft.Extensions.Hosting;

namespace Golog.Kafka.Tests;

/// <summary>
/// The real broker host inside the test process, both doors on free ports (port 0), found through its ports file;
/// storage in a temp directory of its own, removed at dispose unless the caller owns it.
/// </summary>
public sealed class KafkaTestBroker : IAsyncDisposable
{
    private readonly IHost _host;
    private readonly string _dir;

    private KafkaTestBroker(IHost host, string dir, int kafkaPort, int jsonPort)
    {
        _host = host;
        _dir = dir;
        KafkaPort = kafkaPort;
        JsonPort = jsonPort;
    }

    public int KafkaPort { get; }
    public string StorageDirectory => Path.Combine(_dir, "storage");
    public int JsonPort { get; }
    public string Bootstrap => $"localhost:{KafkaPort}";

    public static async Task<KafkaTestBroker> StartAsync(params string[] extraArgs)
    {
        var dir = Directory.CreateTempSubdirectory("golog-kafka-").FullName;
        var portsFile = Path.Combine(dir, "ports.json");
        var config = BrokerHost.LoadConfig(["--port", "0", "--kafka-port", "0", "--http-port", "0", "--storage", Path.Combine(dir, "storage"), "--ports-file", portsFile, .. extraArgs], _ => null);
        var host = BrokerHost.Build(config);
        await host.StartAsync();
        var endpoint = (BrokerEndpoint)host.Services.GetService(typeof(BrokerEndpoint))!;
        await endpoint.WhenReady.WaitAsync(TimeSpan.FromSeconds(30));
        var ports = PortsFile.Read(portsFile);
        return new KafkaTestBroker(host, dir, ports[KafkaDoor.Name].Port, ports[JsonLinesDoor.Name].Port);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }
}
