using System.Diagnostics;
using Golog.Client;
using Golog.Protocol;

namespace Golog.Perf;

/// <summary>
/// The consume workload: reads each partition from its log start to the high watermark seen at start, --inflight fetches
/// in flight per partition, from its leader (<see cref="PerfCluster"/>), and verifies every record
/// (<see cref="ReadVerifier"/>) before it counts.
/// </summary>
public static class ConsumeRun
{
    public static async Task<RunResult> RunAsync(PerfOptions o, CancellationToken stop)
    {
        var stats = new RunStats();
        var clock = new Stopwatch();
        string? failure = null;
        long expected = 0;
        try
        {
            await using var client = await PerfCluster.ConnectAsync(o, idempotent: false, stop);
            var topic = (await client.MetadataAsync(o.Topic, stop)).Topics.SingleOrDefault(t => t.Name == o.Topic)
                ?? throw new InvalidOperationException($"topic {o.Topic} does not exist");
            var partitions = new List<PartitionMetadata>();
            foreach (var p in topic.Partitions.OrderBy(p => p.Partition).Take(o.Partitions ?? int.MaxValue))
                partitions.Add(p with { HighWatermark = await LeadersHighWatermarkAsync(client, o.Topic, p, stop) });
            expected = partitions.Sum(p => p.HighWatermark - p.LogStartOffset);
            if (o.Messages is { } n && n != expected)
                throw new InvalidOperationException($"topic {o.Topic} holds {expected} messages in the partitions read, not the {n} expected");
            var verifier = new ReadVerifier(expected, o.Size);
            using var progress = new CancellationTokenSource();
            clock.Start();
            var reporter = stats.ReportProgressAsync(o.Size, clock, progress.Token);
            try
            {
                await Task.WhenAll(partitions.Select(p => Task.Run(() =>
                    ReadPartitionAsync(client, o, new ReadVerifier.Partition(p.Partition, p.LogStartOffset), p.HighWatermark, verifier, stats, stop))));
            }
            catch (Exception e) { failure = ProduceRun.Describe(e, stop); }
            clock.Stop();
            await progress.CancelAsync();
            await reporter;
        }
        catch (Exception e) { failure = ProduceRun.Describe(e, stop); }
        if (failure is null && stats.Messages != expected) failure = $"read {stats.Messages} of {expected} messages";
        return new RunResult(stats.Messages, clock.Elapsed, stats.Total, failure);
    }

    /// <summary>
    /// The partition's high watermark as its leader has it: a follower's metadata answers with its own copy's, which
    /// lags (by what the leader acknowledged since the follower's last fetch).
    /// </summary>
    private static async Task<long> LeadersHighWatermarkAsync(ClusterClient client, string topic, PartitionMetadata p, CancellationToken stop)
    {
        using var reply = await client.FetchReplyAsync(topic, p.Partition, p.LogStartOffset, maxMessages: 1, maxWaitMs: 0, cancellationToken: stop);
        return reply.HighWatermark!.Value;
    }

    /// <summary>
    /// With <see cref="PerfOptions.InFlight"/> above 1, the next fetches are asked ahead, each at the offset it should
    /// start at if the ones before it come back full, so that the broker encodes one reply while this reads another.
    /// A reply that comes back short (the byte limit) makes those guesses wrong: their replies are dropped and
    /// reading goes on from the offset actually reached.
    /// </summary>
    private static async Task ReadPartitionAsync(ClusterClient client, PerfOptions o, ReadVerifier.Partition p, long end,
        ReadVerifier verifier, RunStats stats, CancellationToken stop)
    {
        var inFlight = new Queue<(long Offset, long SentAt, Task<FetchReply> Reply)>();
        long next = p.NextOffset;
        while (p.NextOffset < end)
        {
            for (; inFlight.Count < o.InFlight && next < end; next += o.Batch)
                inFlight.Enqueue((next, Stopwatch.GetTimestamp(), client.FetchReplyAsync(o.Topic, p.Id, next, o.Batch, o.FetchMaxBytes, maxWaitMs: 0, stop)));
            var (offset, sentAt, reply) = inFlight.Dequeue();
            using var fetched = await reply;
            if (offset != p.NextOffset) continue; // asked ahead of a short reply
            int counted = Verify(fetched, p, end, verifier);
            if (counted == 0) throw new InvalidDataException($"partition {p.Id}: empty fetch at offset {p.NextOffset} below the high watermark {end}");
            stats.Completed(counted, sentAt);
            if (p.NextOffset != offset + o.Batch) next = p.NextOffset;
        }
        while (inFlight.TryDequeue(out var left)) (await left.Reply).Dispose();
    }

    /// <summary>Checks the fetched records below <paramref name="end"/> in place (no string per record); returns how many.</summary>
    private static int Verify(FetchReply fetched, ReadVerifier.Partition p, long end, ReadVerifier verifier)
    {
        int counted = 0;
        foreach (var record in fetched.Records)
        {
            if (p.NextOffset >= end) break;
            if (verifier.Check(p, record.Offset, record.Message) is { } wrong) throw new InvalidDataException(wrong);
            counted++;
        }
        return counted;
    }
}
