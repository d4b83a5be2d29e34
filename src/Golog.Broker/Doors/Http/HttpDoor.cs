using System.Diagnostics;
using System.Net;
using Akka.Actor;
using Akka.Configuration;
using Golog.Core;
using Golog.Core.Groups;
using Golog.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using Serilog;

namespace Golog.Broker.Doors.Http;

/// <summary>
/// The HTTP door (golog.http): Prometheus text at /metrics (OpenTelemetry's exporter over the Golog.Broker meter and
/// the runtime's own System.Runtime meter), the JSON admin API at /api and the web console at /, on a Kestrel of its
/// own (ASP.NET Core from the shared framework) so nothing of the broker's host (configuration, hosted services)
/// changes. It opens once the core has loaded the topics on disk, as the TCP doors do, and asks the core through
/// <see cref="CoreAsker"/> like any door. Limits keep a misbehaving client from costing more than its connection:
/// small bodies, a deadline for headers and a minimum upload rate (golog.connections.partial-line-timeout).
/// </summary>
public sealed class HttpDoor(BrokerCore core, RoutingTable routes, GroupBoard groups, BrokerSettings settings, Config config, ActorSystem system)
{
    public const string Name = "http";
    private static readonly KeyValuePair<string, object?> DoorTag = DoorMetrics.Door(Name);
    private WebApplication? _app;
    private ActivityHistory? _history;

    /// <summary>Binds once <paramref name="coreReady"/> completes; the bound address, or an IOException saying why it cannot listen.</summary>
    public async Task<IPEndPoint> StartAsync(Task coreReady, IReadOnlyDictionary<string, Task<IPEndPoint>> doors)
    {
        await coreReady;
        var http = settings.Http;
        var address = DoorAddress.Resolve(Name, http.Host, http.Port);
        _history = new ActivityHistory(routes, groups);
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = "golog-broker" });
        builder.Services.AddSerilog();
        builder.Services.AddRoutingCore();
        builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(StorageMetrics.Name, "System.Runtime")
            .AddPrometheusExporter(o => o.ScrapeResponseCacheDurationMilliseconds = 0));
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = RequestBody.MaxBytes;
            kestrel.Limits.MaxRequestHeadersTotalSize = 32 * 1024;
            kestrel.Limits.RequestHeadersTimeout = settings.PartialLineTimeout;
            kestrel.Limits.KeepAliveTimeout = settings.IdleTimeout < TimeSpan.FromMinutes(2) ? settings.IdleTimeout : TimeSpan.FromMinutes(2);
            // Kestrel refuses a grace period of 1 s or less (its rate check ticks once a second): a shorter
            // partial-line timeout still bounds the request headers above, and slow bodies get 2 s
            var grace = settings.PartialLineTimeout > TimeSpan.FromSeconds(2) ? settings.PartialLineTimeout : TimeSpan.FromSeconds(2);
            kestrel.Limits.MinRequestBodyDataRate = new MinDataRate(bytesPerSecond: 1024, gracePeriod: grace);
            kestrel.Limits.MaxConcurrentConnections = settings.MaxConnections;
            kestrel.Listen(address, http.Port, listen => listen.Use(next => async connection =>
            {
                DoorMetrics.Connections.Add(1, DoorTag);
                try { await next(connection); }
                finally { DoorMetrics.Connections.Add(-1, DoorTag); }
            }));
        });
        var app = builder.Build();
        app.Use(Measure);
        app.Use(SecurityHeaders);
        app.MapPrometheusScrapingEndpoint("/metrics");
        new AdminApi(new CoreAsker(core, system), routes, groups, _history, new BrokerInfo(config, doors)).Map(app);
        ConsoleAssets.Map(app);
        app.MapFallback((HttpContext ctx) => AdminApi.Problem(HttpStatusCode.NotFound, "not_found", $"no such page: {ctx.Request.Path}"));
        try { await app.StartAsync(); }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException)
        {
            throw new IOException($"cannot listen on {http.Host}:{http.Port} ({Name}): {e.InnerException?.Message ?? e.Message}", e);
        }
        _app = app;
        StorageMetrics.Errors.Add(0); // the series exists at 0 from the start: dashboards and alerts need not wait for the first error
        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        var endpoint = new IPEndPoint(address, new Uri(bound).Port);
        Log.Information("Golog broker listening on {Host}:{Port} ({Door}): console http://{Host}:{Port}/, metrics /metrics", http.Host, endpoint.Port, Name, http.Host, endpoint.Port);
        return endpoint;
    }

    public async Task StopAsync()
    {
        if (_app is { } app)
        {
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(5)); // open keep-alive connections do not hold up the shutdown
            await app.StopAsync(deadline.Token);
            await app.DisposeAsync();
        }
        _history?.Dispose();
    }

    /// <summary>Request duration by route pattern (bounded label values) and refusals by status, as the TCP doors count theirs.</summary>
    private static async Task Measure(HttpContext context, RequestDelegate next)
    {
        long started = Stopwatch.GetTimestamp();
        await next(context);
        string request = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? "unmatched";
        DoorMetrics.RequestDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, DoorTag, new("request", request));
        if (context.Response.StatusCode >= 400) DoorMetrics.RejectedRequests.Add(1, DoorTag, new("code", "http_" + context.Response.StatusCode));
    }

    /// <summary>The console loads only what this broker serves; even a rendering bug cannot run an injected script or load a remote one.</summary>
    private static Task SecurityHeaders(HttpContext context, RequestDelegate next)
    {
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'";
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        return next(context);
    }
}
