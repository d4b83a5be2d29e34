using Golog.Core;
using System.Text;
using Akka.Actor;
using Akka.Configuration;
using Akka.TestKit;
using Golog.Core.Groups;
using Golog.Storage;
using Xunit.Abstractions;

using static Golog.Broker.Tests.CoreMessages;

namespace Golog.Broker.Tests;

/// <summary>
/// A TestKit whose actor system runs the broker's own HOCON (so the broker's dispatchers exist), with Akka's
/// logging left to the TestKit, and a fresh storage directory per test, deleted when the test ends.
/// </summary>
public abstract class BrokerSpec : Akka.TestKit.Xunit2.TestKit
{
    /// <summary>
    /// Long enough for a loaded CI machine (the end-to-end floods run beside these tests and 10 s was once not
    /// enough); no test waits this long when it passes.
    /// </summary>
    protected static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly List<SyncWorker> _syncWorkers = [];

    /// <param name="output">xunit's output, where the actor system logs.</param>
    /// <param name="config">HOCON this spec needs over the broker's.</param>
    protected BrokerSpec(ITestOutputHelper output, Config? config = null)
        : base(config is null ? TestConfig() : config.WithFallback(TestConfig()), output: output)
    {
        Root = Path.Combine(Path.GetTempPath(), "golog-broker-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Root);
        Settings = BrokerSettings.From(Sys.Settings.Config) with { StorageDirectory = Root };
    }

    /// <summary>This test's storage root: never the repository's storage/.</summary>
    protected string Root { get; }

    protected BrokerSettings Settings { get; }

    /// <summary>golog.hocon as the broker ships it (copied to the output by the Broker project), loggers swapped for the TestKit's.</summary>
    public static Config TestConfig()
    {
        var hocon = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "hocon", "golog.hocon"));
        return ConfigurationFactory.ParseString("""
            akka.loggers = ["Akka.TestKit.TestEventListener, Akka.TestKit"]
            akka.logger-formatter = "Akka.Event.DefaultLogMessageFormatter, Akka"
            akka.loglevel = WARNING
            akka.coordinated-shutdown.run-by-clr-shutdown-hook = off
            """).WithFallback(ConfigurationFactory.ParseString(hocon));
    }

    protected SyncWorker NewSyncWorker()
    {
        var worker = new SyncWorker(2);
        _syncWorkers.Add(worker);
        return worker;
    }

    protected string PartitionDir(string topic, int partition) => StorageLayout.PartitionDirectory(Root, topic, partition);

    /// <summary>Stops an actor and waits until it is gone, so its files are closed.</summary>
    protected async Task StopAndWaitAsync(IActorRef actor)
    {
        var watcher = CreateTestProbe();
        watcher.Watch(actor);
        actor.Tell(PoisonPill.Instance);
        await watcher.ExpectTerminatedAsync(actor, Patience);
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing); // actor system down first: partition and offset files are closed
        if (!disposing) return;
        foreach (var worker in _syncWorkers) worker.Dispose();
        TempDir.Delete(Root);
    }
}

/// <summary>
/// A broker spec on virtual time: Akka's <see cref="TestScheduler"/> fires timers only when the test calls
/// <see cref="Advance"/>, and <see cref="Time"/> (for actors that take a clock) reads the same virtual time, so an
/// actor's deadlines and the timers that enforce them move together, exactly, and no test sleeps.
/// </summary>
public abstract class VirtualTimeSpec(ITestOutputHelper output) : BrokerSpec(output, ConfigurationFactory.ParseString(
    """akka.scheduler.implementation = "Akka.TestKit.TestScheduler, Akka.TestKit" """))
{
    private TestScheduler Scheduler => (TestScheduler)Sys.Scheduler;

    protected TimeProvider Time => new SchedulerTime(Scheduler);

    /// <summary>Moves virtual time on; timers due by then are sent their messages before this returns.</summary>
    protected void Advance(TimeSpan by) => Scheduler.Advance(by);

    /// <summary>The <see cref="TestScheduler"/>'s clock as a <see cref="TimeProvider"/>: timestamps are its ticks.</summary>
    private sealed class SchedulerTime(TestScheduler scheduler) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => scheduler.Now;
        public override long GetTimestamp() => scheduler.Now.UtcTicks;
        public override long TimestampFrequency => TimeSpan.TicksPerSecond;
    }
}

public static class TempDir
{
    public static string Create()
    {
        var dir = Path.Combine(Path.GetTempPath(), "golog-broker-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }

    public static void Delete(string dir)
    {
        try { Directory.Delete(dir, recursive: true); }
        catch (IOException) { } // a handle a failing test left open; the OS temp cleaner gets it
        catch (UnauthorizedAccessException) { }
    }

    public static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from)) File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
    }
}

/// <summary>Requests to the core and its answers, as a door sends and receives them.</summary>
public static class CoreMessages
{
    public static CoreRequest Req(long correlation, ICoreCommand command) => new(correlation, command);

    /// <summary>The next message is the answer to a request, with a result of type <typeparamref name="T"/>.</summary>
    public static async Task<T> ExpectResultAsync<T>(this TestProbe probe, TimeSpan within) where T : ICoreResult
    {
        var reply = await probe.ExpectMsgAsync<CoreReply>(within);
        return Assert.IsType<T>(reply.Result);
    }

    /// <summary>The next answer, with its correlation number.</summary>
    public static async Task<CoreReply> ExpectReplyAsync(this TestProbe probe, TimeSpan within) => await probe.ExpectMsgAsync<CoreReply>(within);
}

/// <summary>
/// The core as a door sees it, behind an actor so a test can Tell it requests: routing table, topic manager and
/// group manager, with every request handed to <see cref="BrokerCore.Send"/>; CloseForShutdown goes to the topic manager.
/// </summary>
public sealed class CoreGateway : ReceiveActor
{
    public CoreGateway(BrokerSettings settings, SyncWorker syncWorker, IActorRef? groups)
    {
        var routes = new RoutingTable();
        groups ??= Context.ActorOf(GroupManager.Props(settings, TimeProvider.System), "groups");
        var topics = Context.ActorOf(TopicManager.Props(settings, syncWorker, groups, routes, PreviousShutdown.Unclean), "topics");
        Forward(new BrokerCore(routes, topics, groups, ActorRefs.Nobody), routes.Loaded);
        Receive<CloseForShutdown>(c => topics.Forward(c));
    }

    /// <summary>Over a running broker's core, whose doors are bound, so its topics are loaded.</summary>
    public CoreGateway(BrokerCore core) => Forward(core, Task.CompletedTask);

    // as a door does, nothing is sent before the core knows the topics on disk
    private void Forward(BrokerCore core, Task loaded) => ReceiveAsync<CoreRequest>(async r =>
    {
        await loaded;
        core.Send(r.Correlation, r.Command, Sender);
    });

    public static Props Props(BrokerSettings settings, SyncWorker syncWorker, IActorRef? groups = null) =>
        Akka.Actor.Props.Create(() => new CoreGateway(settings, syncWorker, groups));

    /// <summary>A gateway to a core that is already running (a broker host's).</summary>
    public static Props Over(BrokerCore core) => Akka.Actor.Props.Create(() => new CoreGateway(core));
}

/// <summary>One decoded record as a consumer would see it.</summary>
public sealed record Rec(long Offset, string? Key, string Value);

public static class Records
{
    public static RecordsToAppend Of(params string[] values) =>
        new(values.Select(v => (ReadOnlyMemory<byte>)Encoding.UTF8.GetBytes(v)).ToArray());

    public static CoreRequest Produce(long correlation, string topic, int? partition, params string[] values) =>
        new(correlation, new ProduceCommand(topic, partition, Of(values)));

    /// <summary>Every whole batch of a fetch, CRC-checked, decoded; records before the fetch offset (same batch) dropped, as a consumer does.</summary>
    public static List<Rec> Decode(Fetched fetched)
    {
        var bytes = fetched.Data.Bytes;
        var records = new List<Rec>();
        int pos = 0;
        while (pos < bytes.Length)
        {
            var status = RecordBatchReader.Validate(bytes[pos..], int.MaxValue, out var info);
            if (status == BatchStatus.Incomplete) break;
            Assert.Equal(BatchStatus.Ok, status);
            foreach (var r in RecordBatchReader.Records(bytes.Slice(pos, info.Size)))
                if (r.Offset >= fetched.FromOffset)
                    records.Add(new Rec(r.Offset, r.HasKey ? Encoding.UTF8.GetString(r.Key) : null, Encoding.UTF8.GetString(r.Value)));
            pos += info.Size;
        }
        return records;
    }

    /// <summary>Every record of a partition log opened directly from files, from offset 0 to its end.</summary>
    public static List<Rec> ReadAll(PartitionLog log)
    {
        var all = new List<Rec>();
        long offset = log.LogStartOffset;
        while (offset < log.HighWatermark)
        {
            var read = log.Read(offset, 1024 * 1024);
            var batch = Decode(new Fetched("", 0, read, offset, int.MaxValue, log.HighWatermark, log.LogStartOffset));
            Assert.NotEmpty(batch);
            all.AddRange(batch);
            offset = batch[^1].Offset + 1;
        }
        return all;
    }
}
