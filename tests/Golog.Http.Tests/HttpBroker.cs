using System.Net;
using Golog.Broker;
using Golog.Client;
using Golog.EndToEnd.Tests;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Golog.Http.Tests;

/// <summary>The real broker host in the test process, both doors on free ports (the HTTP one from its bind, as the ports file has it), on temp storage.</summary>
public sealed class HttpBroker : IAsyncDisposable
{
    private readonly IHost _host;
    private readonly TempStorage _storage;

    private HttpBroker(IHost host, TempStorage storage, IPEndPoint json, IPEndPoint http)
    {
        _host = host;
        _storage = storage;
        JsonPort = json.Port;
        BaseAddress = new Uri($"http://127.0.0.1:{http.Port}/");
        Http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    public int JsonPort { get; }
    public Uri BaseAddress { get; }
    public HttpClient Http { get; }

    public static async Task<HttpBroker> StartAsync(params string[] extraArgs)
    {
        var storage = new TempStorage();
        var config = BrokerHost.LoadConfig(["--port", "0", "--kafka-port", "0", "--http-port", "0", "--storage", storage.Path, .. extraArgs], _ => null);
        var host = BrokerHost.Build(config);
        await host.StartAsync();
        var endpoint = host.Services.GetRequiredService<BrokerEndpoint>();
        await endpoint.WhenReady.WaitAsync(TimeSpan.FromSeconds(30));
        return new HttpBroker(host, storage, await endpoint.Doors["json"], await endpoint.Doors["http"]);
    }

    public Task<GologClient> ConnectAsync() => GologClient.ConnectAsync("127.0.0.1", JsonPort);

    /// <summary>GET /metrics, parsed.</summary>
    public async Task<PrometheusText> ScrapeAsync() => PrometheusText.Parse(await Http.GetStringAsync("metrics"));

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _host.StopAsync();
        _host.Dispose();
        _storage.Dispose();
    }
}
