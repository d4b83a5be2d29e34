using System.Diagnostics;
using Confluent.Kafka;

namespace Golog.Perf;

/// <summary>
/// The produce workload over the Kafka door with Confluent.Kafka: N self-checking payloads, message i to partition
/// i mod P, linger 5 ms, --acks (all by default). Only delivered messages count; any delivery error fails the run.
/// </summary>
public static class KafkaProduceRun
{
    public static async Task<RunResult> RunAsync(PerfOptions o, CancellationToken stop)
    {
        using var producer = Build(o);
        return await RunAsync(producer, o, stop);
    }

    /// <summary>Produces with <paramref name="producer"/>, which the caller owns (consume --mock seeds its mock cluster this way).</summary>
    public static async Task<RunResult> RunAsync(IProducer<Null, byte[]> producer, PerfOptions o, CancellationToken stop)
    {
        int partitions = o.Partitions ?? 1;
        long messages = o.Messages ?? 1_000_000;
        var stats = new RunStats();
        var clock = new Stopwatch();
        string? failure = null;
        try
        {
            // the mock cluster has no controller to create topics with; it makes them (4 partitions) on first use
            if (!o.Mock) await KafkaTopic.EnsureAsync(producer.Handle, o.Topic, partitions);
            using var progress = new CancellationTokenSource();
            clock.Start();
            var reporter = stats.ReportProgressAsync(o.Size, clock, progress.Token);
            try { failure = await Task.Run(() => Send(producer, o, partitions, messages, stats, stop)); }
            catch (Exception e) { failure = ProduceRun.Describe(e, stop); }
            clock.Stop();
            await progress.CancelAsync();
            await reporter;
        }
        catch (Exception e) { failure = ProduceRun.Describe(e, stop); }
        if (failure is null && stats.Messages != messages) failure = $"only {stats.Messages} of {messages} messages were delivered";
        return new RunResult(stats.Messages, clock.Elapsed, stats.Total, failure);
    }

    public static IProducer<Null, byte[]> Build(PerfOptions o) =>
        new ProducerBuilder<Null, byte[]>(new ProducerConfig(KafkaTarget.Config(o))
        {
            Acks = o.Acks,
            LingerMs = 5,
            QueueBufferingMaxMessages = 1_000_000,
        }).Build();

    /// <summary>Queues every message (waiting while the client's queue is full), then flushes; the first delivery error, or null.</summary>
    private static string? Send(IProducer<Null, byte[]> producer, PerfOptions o, int partitions, long messages, RunStats stats, CancellationToken stop)
    {
        string? firstError = null;
        var payload = new byte[o.Size]; // the client copies each value as it is queued
        for (long seq = 0; seq < messages && firstError is null; seq++)
        {
            stop.ThrowIfCancellationRequested();
            Payload.Write(payload, writer: 0, seq);
            var partition = new TopicPartition(o.Topic, (int)(seq % partitions));
            long sentAt = Stopwatch.GetTimestamp();
            while (true)
            {
                try
                {
                    producer.Produce(partition, new Message<Null, byte[]> { Value = payload }, report =>
                    {
                        if (report.Error.IsError) Interlocked.CompareExchange(ref firstError, $"message {report.Offset} to partition {report.Partition.Value}: {report.Error.Reason}", null);
                        else stats.Completed(1, sentAt);
                    });
                    break;
                }
                catch (ProduceException<Null, byte[]> e) when (e.Error.Code == ErrorCode.Local_QueueFull)
                {
                    producer.Poll(TimeSpan.FromMilliseconds(10));
                }
            }
        }
        while (producer.Flush(TimeSpan.FromSeconds(1)) > 0) stop.ThrowIfCancellationRequested();
        return Volatile.Read(ref firstError);
    }
}
