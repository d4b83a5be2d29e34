using Golog.Client;

namespace Golog.EndToEnd.Tests;

public sealed class ConcurrencyTests
{
    /// <summary>
    /// The first produces to a new topic wait while the topic is created; later ones go straight to the partition.
    /// Pipelined on one connection, they must still be stored in the order sent (a seed producer's offsets only grow).
    /// </summary>
    [Theory]
    [InlineData("new-topic", 0)]   // auto-creation
    [InlineData("new-wide", 3)]    // auto-creation of every partition up to the one named
    public async Task Produces_pipelined_while_their_partition_is_created_are_stored_in_the_order_sent(string topic, int partition)
    {
        await using var broker = await InProcessBroker.StartAsync();
        await using var client = await LineClient.ConnectAsync(broker.Port);
        const int Pipelined = 2000;
        var lines = string.Concat(Enumerable.Range(0, Pipelined).Select(i =>
            $$"""{"type":"produce","topic":"{{topic}}","partition":{{partition}},"message":"m{{i}}"}""" + "\n"));
        await client.SendRawAsync(System.Text.Encoding.UTF8.GetBytes(lines));
        for (int i = 0; i < Pipelined; i++)
            Assert.Equal($"ack offset {i}", await client.ReadLineAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task Eight_concurrent_producers_on_one_partition_get_unique_contiguous_offsets()
    {
        await using var broker = await InProcessBroker.StartAsync();
        const int producers = 8, perProducer = 250;
        var results = await Task.WhenAll(Enumerable.Range(0, producers).Select(async p =>
        {
            await using var client = await GologClient.ConnectAsync("127.0.0.1", broker.Port);
            // Pipelined: up to 16 requests in flight per connection.
            var acks = new List<(long Offset, string Message)>();
            for (int i = 0; i < perProducer; i += 16)
            {
                var wave = Enumerable.Range(i, Math.Min(16, perProducer - i)).Select(async n =>
                {
                    var message = $"p{p}-m{n}";
                    var r = await client.ProduceAsync("shared", 0, message);
                    return (r.BaseOffset, message);
                });
                acks.AddRange(await Task.WhenAll(wave));
            }
            return acks;
        }));

        var all = results.SelectMany(r => r).ToList();
        Assert.Equal(Enumerable.Range(0, producers * perProducer).Select(i => (long)i), all.Select(a => a.Offset).Order());
        foreach (var perClient in results) // one connection's requests are stored in the order it sent them
            Assert.Equal(perClient.Select(a => a.Offset).Order(), perClient.Select(a => a.Offset));

        await using var reader = await GologClient.ConnectAsync("127.0.0.1", broker.Port);
        var stored = new Dictionary<long, string>();
        while (stored.Count < all.Count)
        {
            var f = await reader.FetchAsync("shared", 0, stored.Count, maxMessages: 1000);
            foreach (var r in f.Records) stored.Add(r.Offset, r.Message);
        }
        foreach (var (offset, message) in all) Assert.Equal(message, stored[offset]);
    }
}
