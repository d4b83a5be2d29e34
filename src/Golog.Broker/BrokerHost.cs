using Golog.Core;
using System.Net;
using Akka.Actor;
using Akka.Configuration;
using Akka.Hosting;
using Akka.Logger.Serilog;
using Golog.Core.Groups;
using Golog.Broker.Doors;
using Golog.Broker.Doors.JsonLines;
using Golog.Broker.Doors.Http;
using Golog.Broker.Doors.Kafka;
using Golog.Storage;
using Golog.Cluster;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Serilog;

namespace Golog.Broker;

/// <summary>Where the running broker listens; completes once the listener is bound (tests bind port 0 and read it here).</summary>
public sealed class BrokerEndpoint
{
    internal TaskCompletionSource<IPEndPoint> Bound { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    public Task<IPEndPoint> WhenBound => Bound.Task;
    internal TaskCompletionSource<IPEndPoint> KafkaBound { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    /// <summary>Where the Kafka door listens; never completes when golog.kafka.enabled is off.</summary>
    public Task<IPEndPoint> WhenKafkaBound => KafkaBound.Task;
    /// <summary>Every door bound and the ports file (golog.ports-file) written: when the broker counts as started.</summary>
    public Task WhenReady { get; internal set; }
    public BrokerEndpoint() => WhenReady = WhenBound;
    /// <summary>Every door's bind, by its name in the ports file ("json", "http").</summary>
    public IReadOnlyDictionary<string, Task<IPEndPoint>> Doors { get; internal set; } = new Dictionary<string, Task<IPEndPoint>>();
}

/// <summary>
/// Builds the broker: HOCON defaults (hocon/golog.hocon) under flag/env overrides, Serilog, and the actor system via
/// Akka.Hosting: group manager, topic manager (which recovers the partitions it finds on disk) and the TCP listener.
/// Coordinated shutdown unbinds the listener, lets partitions answer and flush what is in flight, closes files,
/// and only then writes the clean-shutdown marker that lets the next start skip recovery scans.
/// </summary>
public static class BrokerHost
{
    public static Config LoadConfig(string[] args, Func<string, string?> env) => LoadConfig(CommandLine.Parse(args, env));

    /// <summary>The configuration the command line's overrides (<see cref="CommandLine.Overrides"/>) make of the defaults. Throws <see cref="ArgumentException"/>.</summary>
    public static Config LoadConfig((string Hocon, List<string> ConfigFiles) commandLine)
    {
        var (overrides, files) = commandLine;
        var config = ConfigurationFactory.ParseString(overrides);
        foreach (var file in files) config = config.WithFallback(ConfigurationFactory.ParseString(File.ReadAllText(file)));
        var defaults = ConfigurationFactory.ParseString(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "hocon", "golog.hocon")));
        config = config.WithFallback(defaults);
        KnownSettings.From(defaults).RefuseUnknown(config);
        return config;
    }

    public static IHost Build(Config config)
    {
        var settings = BrokerSettings.From(config);
        var kafka = KafkaSettings.From(config);
        long? fileLimit = OpenFileLimit.ReadSoft();
        int affordable = OpenFileLimit.AffordableConnections(settings.MaxConnections, fileLimit);
        if (affordable < settings.MaxConnections)
        {
            Log.Warning("golog.connections.max {Configured} lowered to {Affordable}: the open-file limit (ulimit -n) is {Limit}; raise it to allow more",
                settings.MaxConnections, affordable, fileLimit);
            settings = settings with { MaxConnections = affordable };
        }
        var files = new FileHandleCache(DiskFileSystem.Instance, OpenFileLimit.AffordableSegmentHandles(settings.MaxConnections, fileLimit));
        Directory.CreateDirectory(settings.StorageDirectory);
        // No configuration reload: Golog reads HOCON, and the host's default reloadOnChange puts a recursive
        // FileSystemWatcher on the working directory, which, with storage under it (the default "storage"), wakes a
        // thread for every write to a segment.
        var hostConfig = new ConfigurationManager();
        hostConfig.AddInMemoryCollection([new("hostBuilder:reloadConfigOnChange", "false")]);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [], Configuration = hostConfig });
        builder.Services.AddSerilog();
        var endpoint = new BrokerEndpoint();
        var coreHandle = new CoreHandle();
        var syncWorker = new SyncWorker(settings.SyncThreads);
        builder.Services.AddSingleton(settings);
        builder.Services.AddSingleton(endpoint);
        builder.Services.AddSingleton(coreHandle);
        builder.Services.AddSingleton(syncWorker);
        builder.Services.AddAkka("golog", (akka, _) =>
        {
            if (settings.Cluster.Enabled) akka.AddHocon(ClusterHocon.For(settings.Cluster, settings.StorageDirectory), HoconAddMode.Prepend);
            akka.AddHocon(config, HoconAddMode.Prepend)
                .ConfigureLoggers(l =>
                {
                    l.LogLevel = Akka.Event.LogLevel.InfoLevel;
                    l.ClearLoggers();
                    l.AddLogger<SerilogLogger>();
                })
                .WithActors((system, registry) => StartActors(system, registry, settings, kafka, config, syncWorker, files, endpoint, coreHandle));
        });
        return builder.Build();
    }

    private static void StartActors(ActorSystem system, IActorRegistry registry, BrokerSettings settings, KafkaSettings kafka, Config config, SyncWorker syncWorker,
        FileHandleCache files, BrokerEndpoint endpoint, CoreHandle coreHandle)
    {
        Log.Information("Starting Golog broker with {@Settings}", settings);
        Log.Information("At most {Handles} segment files open at once", files.Capacity);
        var previous = CleanShutdownMarker.Consume(DiskFileSystem.Instance, settings.StorageDirectory); // from now on, a crash leads to recovery
        Log.Information("Previous shutdown was {Shutdown}", previous.Clean
            ? previous.Unrecovered.Count == 0 ? "clean: skipping recovery scans" : $"clean, with {previous.Unrecovered.Count} partitions still to recover after an earlier crash"
            : "not clean (or first start): checking active segments as partitions open");

        var self = new ClusterMember(settings.Cluster.Enabled ? settings.Cluster.NodeId : kafka.NodeId,
            KafkaSettings.AdvertisedHostFor("", settings.Host), settings.Port, kafka.Port);
        var routes = new RoutingTable(settings.Cluster.Enabled ? ClusterView.Node(self, settings.OffsetsTopicPartitions, settings.Cluster.DefaultReplicationFactor) : ClusterView.Single(self));
        var board = new GroupBoard();
        var gauges = new BrokerGauges(routes, board);
        var groups = system.ActorOf(GroupManager.Props(settings, TimeProvider.System, board, routes), "groups");
        var topics = system.ActorOf(TopicManager.Props(settings, syncWorker, groups, routes, previous, files), "topics");
        var producerIds = system.ActorOf(ProducerIdActor.Props(settings.StorageDirectory, settings.Cluster.NodeId), "producer-ids");
        var core = new BrokerCore(routes, topics, groups, producerIds);
        coreHandle.Started.TrySetResult(core);
        var doors = new List<(Door Door, TaskCompletionSource<IPEndPoint> Bound)> { (JsonLinesDoor.Create(core, settings), endpoint.Bound) };
        if (kafka.Enabled) doors.Add((KafkaDoor.Create(core, settings, kafka, endpoint.KafkaBound.Task), endpoint.KafkaBound));
        var servers = doors.Select(d => system.ActorOf(TcpListenerActor.Props(d.Door, settings, routes.Loaded, d.Bound), "door-" + d.Door.Name)).ToList();
        var bound = doors.ToDictionary(d => d.Door.Name, d => d.Bound.Task);
        if (settings.Cluster.Enabled) bound[ClusterNode.PortsFileKey] = Task.FromResult(ClusterNode.Join(system, settings.Cluster));
        var http = settings.Http.Enabled ? new HttpDoor(core, routes, board, settings, config, system) : null;
        if (http is not null) bound[HttpDoor.Name] = http.StartAsync(routes.Loaded, bound);
        endpoint.Doors = bound;
        endpoint.WhenReady = PortsFile.WriteWhenBoundAsync(settings.PortsFile, bound);
        if (settings.Cluster.Enabled)
        {
            var watcher = ClusterRuntime.Start(system, settings, routes, topics, groups, core);
            _ = RegisterWhenBound(watcher, self, endpoint, kafka);
        }
        else _ = PublishSelfWhenBound(routes.Cluster, self, endpoint, kafka);
        registry.Register<TopicManager>(topics);
        registry.Register<GroupManager>(groups);
        registry.Register<TcpListenerActor>(servers[0]);

        var shutdown = CoordinatedShutdown.Get(system);
        shutdown.AddTask(CoordinatedShutdown.PhaseServiceUnbind, "golog-unbind", async () =>
        {
            await Task.WhenAll(servers.Select(server => server.Ask<object>(TcpListenerActor.Unbind.Instance, TimeSpan.FromSeconds(5)).ContinueWith(_ => { })));
            if (http is not null) await http.StopAsync();
            return Akka.Done.Instance;
        });
        shutdown.AddTask(CoordinatedShutdown.PhaseServiceRequestsDone, "golog-close-storage", async () =>
        {
            var closed = await topics.Ask<Closed>(CloseForShutdown.Instance, TimeSpan.FromSeconds(60));
            syncWorker.Dispose();
            gauges.Dispose();
            if (closed.Clean) CleanShutdownMarker.Write(DiskFileSystem.Instance, settings.StorageDirectory, closed.Unrecovered);
            Log.Information("Storage closed {Outcome}", closed.Clean ? "cleanly; clean-shutdown marker written" : "with errors; next start will recover");
            return Akka.Done.Instance;
        });
    }

    /// <summary>A cluster node registers its doors, as bound, with the controller (through its metadata watcher).</summary>
    private static async Task RegisterWhenBound(IActorRef watcher, ClusterMember self, BrokerEndpoint endpoint, KafkaSettings kafka)
    {
        var json = await endpoint.WhenBound;
        int kafkaPort = kafka.Enabled ? (await endpoint.WhenKafkaBound).Port : 0;
        watcher.Tell(new RegisterBroker(self with { Port = json.Port, KafkaPort = kafkaPort }));
    }

    /// <summary>
    /// A single node's metadata names itself with the ports its doors are bound to (0 in the settings means "any") and
    /// the configured host, as clients should address it (not the address the listener resolved it to).
    /// </summary>
    private static async Task PublishSelfWhenBound(ClusterView view, ClusterMember self, BrokerEndpoint endpoint, KafkaSettings kafka)
    {
        var json = await endpoint.WhenBound;
        int kafkaPort = kafka.Enabled ? (await endpoint.WhenKafkaBound).Port : 0;
        view.PublishBrokers([self with { Port = json.Port, KafkaPort = kafkaPort }], self.NodeId);
    }
}
