using Akka.Actor;
using Akka.Configuration;
using Golog.Core;
using Golog.Core.Replication;

namespace Golog.Cluster.Tests;

/// <summary>
/// The replica fetch messages as Akka.Remote carries them between nodes, through the serialization bindings of
/// <see cref="ClusterHocon"/>: every field arrives as it was sent.
/// </summary>
public sealed class ReplicationSerializerTests : IDisposable
{
    private readonly ActorSystem _system;

    public ReplicationSerializerTests()
    {
        var cluster = new ClusterSettings(1, "127.0.0.1", 0, [], TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(2),
            TimeSpan.FromSeconds(2), 1, 0);
        // the node's serialization settings, without starting remoting or a cluster
        var config = ConfigurationFactory.ParseString("akka.actor.provider = local\nakka.loglevel = WARNING")
            .WithFallback(ConfigurationFactory.ParseString(ClusterHocon.For(cluster, Path.GetTempPath())));
        _system = ActorSystem.Create("serialization", config);
    }

    public void Dispose() => _system.Terminate().Wait(TimeSpan.FromSeconds(10));

    /// <summary>Serialized with the serializer the bindings pick (which must be the replication one), then read back.</summary>
    private T RoundTrip<T>(T message) where T : notnull
    {
        var serializer = _system.Serialization.FindSerializerFor(message);
        Assert.IsType<ReplicationSerializer>(serializer);
        var bytes = serializer.ToBinary(message);
        return Assert.IsType<T>(_system.Serialization.Deserialize(bytes, serializer.Identifier, Akka.Serialization.Serialization.ManifestFor(serializer, message)));
    }

    [Fact]
    public void Fetch_diverging_refused_and_progress_arrive_as_sent()
    {
        ReplicaFetch fetch = new("orders.ü", 7, 2, 5, 1L << 40, 4, (1L << 40) - 3, 1 << 20);
        ReplicaDiverging diverging = new(5, 3, 1234567890123);
        ReplicaRefused refused = new("node 1 does not lead partition orders-7: node 3 does (epoch 5)");
        ReplicaProgress progress = new("orders.ü", 7, 2, 5, 99);

        Assert.Equal(fetch, RoundTrip(fetch));
        Assert.Equal(diverging, RoundTrip(diverging));
        Assert.Equal(refused, RoundTrip(refused));
        Assert.Equal(progress, RoundTrip(progress));
    }

    [Fact]
    public void Replica_data_arrives_with_exactly_its_batches_even_from_a_larger_read_buffer()
    {
        var buffer = Enumerable.Range(0, 100).Select(i => (byte)i).ToArray();
        var read = RoundTrip(new ReplicaData(5, 1000, 10, buffer.AsMemory(0, 60))); // a read buffer holds more than the batches served

        Assert.Equal((5, 1000L, 10L, 60), (read.Epoch, read.HighWatermark, read.LogStartOffset, read.Batches.Length));
        Assert.Equal(buffer[..60], read.Batches.ToArray());
    }

    [Fact]
    public void Empty_replica_data_after_a_long_poll_arrives_empty()
    {
        var read = RoundTrip(new ReplicaData(1, 0, 0, ReadOnlyMemory<byte>.Empty));
        Assert.True(read.Batches.IsEmpty);
    }
}
