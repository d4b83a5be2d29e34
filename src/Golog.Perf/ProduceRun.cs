using System.Diagnostics;
using Golog.Client;
using Golog.Protocol;

namespace Golog.Perf;

/// <summary>
/// The produce workload: C connections, K requests in flight on each, batches of B self-checking payloads. Every ack
/// is checked (right partition, one offset per message) before it counts. A "connection" is a
/// <see cref="ClusterClient"/> (one connection per node it talks to), so on a cluster each batch goes to its
/// partition's leader and a failover mid-run is followed, the batches idempotent (with K at most 5) so that none is
/// stored twice.
/// </summary>
public static class ProduceRun
{
    public static async Task<RunResult> RunAsync(PerfOptions o, CancellationToken stop)
    {
        int partitions = o.Partitions ?? 1;
        long messages = o.Messages ?? 1_000_000;
        var source = new BatchSource(messages, o.Batch);
        var stats = new RunStats();
        var clock = new Stopwatch();
        using var progress = new CancellationTokenSource();
        var disposables = new List<IAsyncDisposable>();
        string? failure = null;
        try
        {
            Func<Task>[] work = o.Seed
                ? await SeedWorkAsync(o, partitions, source, stats, disposables, stop)
                : await FramedWorkAsync(o, partitions, source, stats, disposables, stop);
            clock.Start();
            var reporter = stats.ReportProgressAsync(o.Size, clock, progress.Token);
            try { await Task.WhenAll(work.Select(w => Task.Run(w))); }
            catch (Exception e) { failure = Describe(e, stop); }
            clock.Stop();
            await progress.CancelAsync();
            await reporter;
        }
        catch (Exception e) { failure = Describe(e, stop); }
        finally
        {
            foreach (var d in disposables) await d.DisposeAsync();
        }
        if (failure is null && stats.Messages != messages) failure = $"only {stats.Messages} of {messages} messages were acknowledged";
        return new RunResult(stats.Messages, clock.Elapsed, stats.Total, failure);
    }

    private static async Task<Func<Task>[]> FramedWorkAsync(PerfOptions o, int partitions, BatchSource source, RunStats stats,
        List<IAsyncDisposable> disposables, CancellationToken stop)
    {
        var clients = new ClusterClient[o.Connections];
        for (int c = 0; c < clients.Length; c++)
        {
            clients[c] = await PerfCluster.ConnectAsync(o, idempotent: o.InFlight <= PerfCluster.MaxIdempotentInFlight, stop);
            disposables.Add(clients[c]);
        }
        await EnsureTopicAsync(await clients[0].AnyBrokerAsync(stop), o.Topic, partitions, stop);
        var work = new List<Func<Task>>();
        for (int c = 0; c < clients.Length; c++)
            for (int k = 0; k < o.InFlight; k++)
            {
                var (client, writer, partition) = (clients[c], c * o.InFlight + k, c % partitions);
                work.Add(() => FramedWriterAsync(client, o.Topic, partition, writer, o.Size, o.Batch, source, stats, stop));
            }
        return [.. work];
    }

    /// <summary>One writer: sends a batch, waits for its ack, checks it, repeats; several share a connection to pipeline.</summary>
    private static async Task FramedWriterAsync(ClusterClient client, string topic, int partition, int writer, int size, int batch,
        BatchSource source, RunStats stats, CancellationToken stop)
    {
        var buffer = new byte[size * batch];
        var messages = new ReadOnlyMemory<byte>[batch];
        for (int i = 0; i < batch; i++) messages[i] = buffer.AsMemory(i * size, size);
        while (!stop.IsCancellationRequested && source.TryClaim(out long first, out int count))
        {
            for (int i = 0; i < count; i++) Payload.Write(buffer.AsSpan(i * size, size), writer, first + i);
            long sentAt = Stopwatch.GetTimestamp();
            var ack = await client.ProduceAsync(topic, partition, count == batch ? messages : messages[..count], cancellationToken: stop);
            if (ack.Partition != partition || ack.LastOffset - ack.BaseOffset + 1 != count)
                throw new InvalidDataException($"a batch of {count} for partition {partition} was acknowledged as offsets {ack.BaseOffset}..{ack.LastOffset} of partition {ack.Partition}");
            stats.Completed(count, sentAt);
        }
    }

    private static async Task<Func<Task>[]> SeedWorkAsync(PerfOptions o, int partitions, BatchSource source, RunStats stats,
        List<IAsyncDisposable> disposables, CancellationToken stop)
    {
        var work = new Func<Task>[o.Connections];
        for (int c = 0; c < work.Length; c++)
        {
            var producer = await SeedProducer.ConnectAsync(o.Broker, stop);
            disposables.Add(producer);
            int writer = c, partition = c % partitions;
            work[c] = () => producer.RunAsync(o.Topic, partition, writer, o.InFlight, o.Size, source, stats, stop);
        }
        return work;
    }

    /// <summary>Creates the topic with the partitions asked for; an existing topic must have at least that many.</summary>
    private static async Task EnsureTopicAsync(GologClient client, string topic, int partitions, CancellationToken stop)
    {
        try
        {
            await client.CreateTopicAsync(topic, partitions, stop);
        }
        catch (GologException e) when (e.Code == ErrorCode.TopicAlreadyExists)
        {
            var existing = (await client.MetadataAsync(topic, stop)).Single().Partitions.Count;
            if (existing < partitions)
                throw new InvalidOperationException($"topic {topic} exists with {existing} partitions, fewer than --partitions {partitions}");
        }
    }

    internal static string Describe(Exception e, CancellationToken stop) => e switch
    {
        OperationCanceledException when stop.IsCancellationRequested => "stopped at --max-seconds before finishing",
        AggregateException a => Describe(a.InnerExceptions[0], stop),
        _ => e.Message,
    };
}
