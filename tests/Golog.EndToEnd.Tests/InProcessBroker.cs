using Golog.Core;
using Golog.Broker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Golog.EndToEnd.Tests;

/// <summary>The real broker host (Akka.Hosting, TCP listener on a free port) inside the test process: fast to start.</summary>
public sealed class InProcessBroker : IAsyncDisposable
{
    private readonly IHost _host;
    private readonly TempStorage? _ownStorage;

    private InProcessBroker(IHost host, int port, TempStorage? ownStorage)
    {
        _host = host;
        Port = port;
        _ownStorage = ownStorage;
    }

    public int Port { get; }

    public static async Task<InProcessBroker> StartAsync(string? storage = null, params string[] extraArgs)
    {
        var own = storage is null ? new TempStorage() : null;
        var config = BrokerHost.LoadConfig(["--port", "0", "--kafka-port", "0", "--http-port", "0", "--storage", storage ?? own!.Path, .. extraArgs], _ => null);
        var host = BrokerHost.Build(config);
        await host.StartAsync();
        var endpoint = host.Services.GetRequiredService<BrokerEndpoint>();
        await endpoint.WhenReady.WaitAsync(TimeSpan.FromSeconds(30)); // every door bound, the ports file written
        return new InProcessBroker(host, (await endpoint.WhenBound).Port, own);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
        _ownStorage?.Dispose();
    }
}
