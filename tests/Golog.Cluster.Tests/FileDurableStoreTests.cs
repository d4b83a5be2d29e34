using Akka.Actor;
using Akka.Configuration;
using Akka.DistributedData;
using Golog.Core;

namespace Golog.Cluster.Tests;

/// <summary>
/// Distributed Data on <see cref="FileDurableStore"/>, configured as a broker node configures it (<see cref="ClusterHocon"/>):
/// what one node wrote is there after a restart on the same storage directory, before any other node tells it.
/// </summary>
public sealed class FileDurableStoreTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private static readonly LWWRegisterKey<string> Topics = new("golog-topics");

    private readonly string _storage = Path.Combine(Path.GetTempPath(), "golog-cluster-tests", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        try { Directory.Delete(_storage, recursive: true); }
        catch (IOException) { } // a file a failing test left open; the OS temp cleaner gets it
    }

    /// <summary>A one-node cluster on a free port (so tests never collide), storing its metadata under <see cref="_storage"/>.</summary>
    private async Task<ActorSystem> StartNodeAsync()
    {
        var cluster = new ClusterSettings(NodeId: 1, Host: "127.0.0.1", Port: 0, SeedNodes: [], ReplicaLagTimeMax: TimeSpan.FromSeconds(10),
            AckTimeout: TimeSpan.FromSeconds(10), FailureTimeout: TimeSpan.FromSeconds(2), DownAfter: TimeSpan.FromSeconds(2),
            DefaultReplicationFactor: 1, DefaultMinInsyncReplicas: 0);
        var config = ConfigurationFactory.ParseString("""
                akka.loglevel = WARNING
                akka.coordinated-shutdown.run-by-clr-shutdown-hook = off
                """)
            .WithFallback(ConfigurationFactory.ParseString(ClusterHocon.For(cluster, _storage)));
        var system = ActorSystem.Create(ClusterHocon.SystemName, config);
        // no seed nodes on a free port: the node joins itself, as the broker does
        var member = Akka.Cluster.Cluster.Get(system);
        var up = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        member.RegisterOnMemberUp(up.SetResult);
        member.Join(member.SelfAddress);
        await up.Task.WaitAsync(Patience);
        return system;
    }

    private static IActorRef Replicator(ActorSystem system) => DistributedData.Get(system).Replicator;

    [Fact]
    public async Task A_value_written_locally_is_read_back_by_a_node_restarted_on_the_same_directory()
    {
        var first = await StartNodeAsync();
        try
        {
            var self = Akka.Cluster.Cluster.Get(first).SelfUniqueAddress;
            var update = Dsl.Update(Topics, new LWWRegister<string>(self, ""), WriteLocal.Instance,
                register => register.WithValue(self, """{"version":7}"""));
            // with a durable key, the update is answered once the store has the file (FileDurableStore's reply)
            var written = await Replicator(first).Ask<IUpdateResponse>(update, Patience);
            Assert.True(written.IsSuccessful, $"update answered {written}");
        }
        finally { await first.Terminate().WaitAsync(Patience); }

        Assert.Single(Directory.GetFiles(ClusterHocon.MetadataDirectory(_storage), "golog-topics*"));

        var second = await StartNodeAsync();
        try
        {
            var read = await Replicator(second).Ask<IGetResponse>(Dsl.Get(Topics, ReadLocal.Instance), Patience);
            Assert.True(read.IsSuccessful, $"read answered {read}");
            Assert.Equal("""{"version":7}""", read.Get(Topics).Value);
        }
        finally { await second.Terminate().WaitAsync(Patience); }
    }
}
