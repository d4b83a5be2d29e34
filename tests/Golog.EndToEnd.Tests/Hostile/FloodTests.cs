using System.Text;
using System.Text.Json;
using Golog.Client;
using Xunit.Abstractions;

namespace Golog.EndToEnd.Tests.Hostile;

/// <summary>
/// Floods against a broker process: a thousand producing connections at once, and one client pipelining 100,000
/// requests without reading. The broker answers everyone, keeps serving a well-behaved client meanwhile, recovers,
/// and its peak memory (VmHWM) stays under a generous bound; the figure is printed for the README.
/// </summary>
[Collection(FloodCollection.Name)]
public sealed class FloodTests(ITestOutputHelper output)
{
    private const long MemoryBound = 1L << 30; // 1 GiB: far above what is measured (see README), far below a leak
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task A_thousand_connections_producing_at_once_are_all_acknowledged_and_stored()
    {
        const int connections = 1000, perConnection = 5;
        OpenFileLimitRaiser.EnsureAtLeast(4096); // the broker keeps 512 for itself, and this process holds the client ends
        using var storage = new TempStorage();
        await using var broker = await BrokerProcess.StartAsync(storage.Path);
        await using var observer = await GologClient.ConnectAsync("127.0.0.1", broker.Port);
        await observer.CreateTopicAsync("flood", 8);

        var clients = await Task.WhenAll(Enumerable.Range(0, connections).Select(_ => GologClient.ConnectAsync("127.0.0.1", broker.Port)));
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var floodAcks = new System.Collections.Concurrent.ConcurrentBag<TimeSpan>();
        var observed = new List<(TimeSpan Sent, TimeSpan Acked)>();
        try
        {
            var produced = Task.WhenAll(clients.Select(async (client, c) =>
            {
                for (int i = 0; i < perConnection; i++)
                {
                    await client.ProduceAsync("flood", c % 8, $"c{c}-m{i}");
                    floodAcks.Add(clock.Elapsed);
                }
            }));
            // a well-behaved client, producing one message at a time for as long as the flood lasts, is served meanwhile
            while (!produced.IsCompleted && observed.Count < 10_000 && clock.Elapsed < Bound)
            {
                var sent = clock.Elapsed;
                Assert.Equal(observed.Count, (await observer.ProduceAsync("observer", 0, $"during the flood {observed.Count}").WaitAsync(Bound)).BaseOffset);
                observed.Add((sent, clock.Elapsed));
            }
            await produced.WaitAsync(Bound);
        }
        finally
        {
            foreach (var client in clients) await client.DisposeAsync();
        }

        var metadata = await observer.MetadataAsync("flood");
        Assert.Equal(connections * perConnection, metadata.Single().Partitions.Sum(p => p.HighWatermark));
        // served while the flood was in progress: sent after its first ack, answered before its last
        TimeSpan first = floodAcks.Min(), last = floodAcks.Max();
        int inside = observed.Count(o => o.Sent > first && o.Acked < last);
        output.WriteLine($"flood acks from {first.TotalMilliseconds:F0} to {last.TotalMilliseconds:F0} ms; {inside} of {observed.Count} observer produces inside");
        Assert.True(inside > 0, $"no observer produce was sent and answered between the flood's first ack ({first}) and last ({last}): " +
                                string.Join(", ", observed.Take(10).Select(o => $"{o.Sent.TotalMilliseconds:F0}-{o.Acked.TotalMilliseconds:F0} ms")));
        long? peak = broker.PeakRssBytes();
        output.WriteLine($"{connections} connections x {perConnection} produces: broker peak RSS {peak / (1024 * 1024)} MiB");
        if (peak is { } bytes) Assert.True(bytes < MemoryBound, $"peak RSS {bytes} bytes");
    }

    [Fact]
    public async Task A_client_pipelining_100000_requests_without_reading_is_bounded_and_the_broker_recovers()
    {
        const int requests = 100_000;
        using var storage = new TempStorage();
        await using var broker = await BrokerProcess.StartAsync(storage.Path, "--set", "golog.connections.write-timeout=300s",
            // 100,000 replies are 8.5 MB: past a 1 MiB budget plus what the kernel buffers (tcp_wmem, 4 MiB), not past the default 8 MiB
            "--set", "golog.connections.max-pending-reply-bytes=1MiB");
        await using var flooder = await LineClient.ConnectAsync(broker.Port, receiveBufferBytes: 64 * 1024);
        var line = Encoding.UTF8.GetBytes("""{"id":1,"type":"produce","topic":"flood","partition":0,"message":"pipelined-without-reading"}""" + "\n");
        var sending = Task.Run(async () =>
        {
            var chunk = Enumerable.Repeat(line, 1000).SelectMany(b => b).ToArray();
            for (int sent = 0; sent < requests; sent += 1000) await flooder.SendRawAsync(chunk);
        });

        // The flooder's replies pile up unread, so the broker stops taking its requests part-way through the flood
        await using (var observer = await GologClient.ConnectAsync("127.0.0.1", broker.Port))
        {
            long taken = await StalledHighWatermarkAsync(observer, "flood");
            Assert.InRange(taken, 1, requests - 1);
            // others are served while the flood is stalled in the middle, neither before it nor after it
            for (int i = 0; i < 20; i++) Assert.Equal(i, (await observer.ProduceAsync("observer", 0, $"m{i}")).BaseOffset);
            Assert.Equal(20, (await observer.FetchAsync("observer", 0, 0, maxMessages: 100)).Records.Count);
            Assert.Equal(taken, (await observer.MetadataAsync("flood")).Single().Partitions.Single().HighWatermark);
        }

        // The flooder starts reading: every request is answered, in order, and stored.
        for (int i = 0; i < requests; i++)
        {
            string reply = await flooder.ReadLineAsync(Bound);
            Assert.True(reply.Contains("\"ok\":true") && reply.Contains($"\"base_offset\":{i},"), $"reply {i}: {reply}");
        }
        await sending.WaitAsync(Bound);
        await using var after = await GologClient.ConnectAsync("127.0.0.1", broker.Port);
        Assert.Equal(requests, (await after.MetadataAsync("flood")).Single().Partitions.Single().HighWatermark);
        long? peak = broker.PeakRssBytes();
        output.WriteLine($"{requests} pipelined requests from one unread connection: broker peak RSS {peak / (1024 * 1024)} MiB");
        if (peak is { } bytes) Assert.True(bytes < MemoryBound, $"peak RSS {bytes} bytes");
    }

    /// <summary>Polls the high watermark once a second until it stops moving (bounded: 60 polls), and returns it.</summary>
    private static async Task<long> StalledHighWatermarkAsync(GologClient client, string topic)
    {
        long last = -1;
        for (int attempt = 0; attempt < 60; attempt++)
        {
            await Task.Delay(1000);
            long now;
            try { now = (await client.MetadataAsync(topic)).Single().Partitions.Single().HighWatermark; }
            catch (GologException) { now = 0; } // not auto-created yet

            if (now > 0 && now == last) return now;
            last = now;
        }
        return last;
    }

    [Fact]
    public async Task Pipelined_huge_fetches_that_are_not_read_hold_only_the_connection_budget()
    {
        const int fetches = 100;
        using var storage = new TempStorage();
        await using var broker = await BrokerProcess.StartAsync(storage.Path, "--set", "golog.connections.write-timeout=300s");
        await using (var producer = await GologClient.ConnectAsync("127.0.0.1", broker.Port))
            for (int i = 0; i < 16; i++) await producer.ProduceAsync("big", 0, new string((char)('a' + i), 1_000_000));
        long before = broker.PeakRssBytes() ?? 0;

        // each asks for 2 GiB (lowered to fetch.max-bytes, 8 MiB): unbudgeted, the replies would hold ~800 MB
        await using var greedy = await LineClient.ConnectAsync(broker.Port, receiveBufferBytes: 64 * 1024);
        var request = Encoding.UTF8.GetBytes("""{"id":1,"type":"fetch","topic":"big","partition":0,"offset":0,"max_bytes":2147483647}""" + "\n");
        await greedy.SendRawAsync([.. Enumerable.Repeat(request, fetches).SelectMany(r => r)]);
        await using (var observer = await GologClient.ConnectAsync("127.0.0.1", broker.Port))
            Assert.Equal(16, (await observer.MetadataAsync("big")).Single().Partitions.Single().HighWatermark);

        for (int i = 0; i < fetches; i++)
        {
            using var reply = JsonDocument.Parse(await greedy.ReadLineAsync(Bound));
            Assert.Equal(8, reply.RootElement.GetProperty("records").GetArrayLength()); // 8 x 1 MB fit in 8 MiB
        }
        long peak = broker.PeakRssBytes() ?? 0;
        output.WriteLine($"{fetches} unread 8 MiB fetches: broker peak RSS {before / (1024 * 1024)} MiB before, {peak / (1024 * 1024)} MiB after");
        Assert.True(peak - before < 512L * 1024 * 1024, $"peak RSS grew by {(peak - before) / (1024 * 1024)} MiB");
    }
}
