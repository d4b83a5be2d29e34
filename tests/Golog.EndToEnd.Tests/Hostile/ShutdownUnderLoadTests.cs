using Golog.Client;
using Golog.Protocol;
using Xunit.Abstractions;

namespace Golog.EndToEnd.Tests.Hostile;

/// <summary>SIGTERM while producers have requests in flight: each request ends, and everything acknowledged survives.</summary>
public sealed class ShutdownUnderLoadTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Every_in_flight_request_is_answered_or_failed_and_every_ack_survives_the_restart()
    {
        const int producers = 16, inFlight = 16, partitions = 4;
        using var storage = new TempStorage();
        var acked = new System.Collections.Concurrent.ConcurrentBag<(int Partition, long Offset, string Message)>();
        int refused = 0, cutOff = 0;
        await using (var broker = await BrokerProcess.StartAsync(storage.Path))
        {
            await using (var admin = await GologClient.ConnectAsync("127.0.0.1", broker.Port)) await admin.CreateTopicAsync("load", partitions);
            var clients = await Task.WhenAll(Enumerable.Range(0, producers).Select(_ => GologClient.ConnectAsync("127.0.0.1", broker.Port)));
            var load = Task.WhenAll(clients.Select((client, p) => Task.WhenAll(Enumerable.Range(0, inFlight).Select(async lane =>
            {
                for (int i = 0; i < 100_000; i++) // ends at the first refusal or cut-off: the broker is going away
                {
                    string message = $"p{p}-l{lane}-m{i}";
                    try
                    {
                        var ack = await client.ProduceAsync("load", (p + lane) % partitions, message);
                        acked.Add((ack.Partition, ack.BaseOffset, message));
                    }
                    catch (GologException e) when (e.Code == ErrorCode.BrokerShuttingDown) { Interlocked.Increment(ref refused); return; }
                    catch (BrokerUnavailableException) { Interlocked.Increment(ref cutOff); return; } // closed without an ack
                }
            }))));

            for (int i = 0; i < 600 && acked.Count < 2000; i++) await Task.Delay(50); // bounded: at most 30 s of load
            Assert.Equal(0, await broker.StopAsync());
            await load.WaitAsync(TimeSpan.FromSeconds(60)); // every request ended: any other exception fails here
            foreach (var client in clients) await client.DisposeAsync();
        }
        output.WriteLine($"{acked.Count} acked before SIGTERM completed; {refused} lanes got broker_shutting_down, {cutOff} were cut off without an ack");
        Assert.True(acked.Count > 0);

        await using var restarted = await BrokerProcess.StartAsync(storage.Path);
        await using var reader = await GologClient.ConnectAsync("127.0.0.1", restarted.Port);
        var stored = new Dictionary<(int, long), string>();
        for (int p = 0; p < partitions; p++)
        {
            for (long offset = 0; ;)
            {
                var fetched = await reader.FetchAsync("load", p, offset, maxMessages: 1000);
                if (fetched.Records.Count == 0) break;
                foreach (var r in fetched.Records) stored[(p, r.Offset)] = r.Message;
                offset = fetched.Records[^1].Offset + 1;
            }
        }
        foreach (var (partition, offset, message) in acked)
            Assert.True(stored.TryGetValue((partition, offset), out var m) && m == message, $"acked {message} at {partition}/{offset} is lost");
    }
}
