using System.Diagnostics;
using Confluent.Kafka;

namespace Golog.Perf;

/// <summary>
/// The consume workload over the Kafka door with Confluent.Kafka: every partition from its low to its high
/// watermark as seen at start, each record verified (<see cref="ReadVerifier"/>) before it counts. With --mock the
/// mock cluster starts empty, so the run first produces --messages into it (untimed) and then reads back what the
/// mock kept: it keeps only the newest part of a partition's log, so that is the count expected there.
/// </summary>
public static class KafkaConsumeRun
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    public static async Task<RunResult> RunAsync(PerfOptions o, CancellationToken stop)
    {
        if (!o.Mock) return await Task.Run(() => Consume(KafkaTarget.Config(o), o, stop));
        using var seeder = KafkaProduceRun.Build(o);
        var seeded = await KafkaProduceRun.RunAsync(seeder, o with { Workload = Workload.Produce }, stop);
        if (seeded.Failure is not null) return seeded with { Failure = $"seeding the mock cluster: {seeded.Failure}" };
        var config = new ClientConfig { ClientId = "golog-perf", BootstrapServers = KafkaTopic.Bootstrap(seeder.Handle) };
        return await Task.Run(() => Consume(config, o, stop));
    }

    private static RunResult Consume(ClientConfig target, PerfOptions o, CancellationToken stop)
    {
        var stats = new RunStats();
        var clock = new Stopwatch();
        string? failure = null;
        long expected = 0;
        try
        {
            using var consumer = new ConsumerBuilder<Ignore, byte[]>(new ConsumerConfig(target)
            {
                GroupId = $"golog-perf-{Guid.NewGuid():N}", // assigned, never committed: the group only satisfies the client
                EnableAutoCommit = false,
            }).Build();
            var partitions = KafkaTopic.Partitions(consumer.Handle, o.Topic).Take(o.Partitions ?? int.MaxValue)
                .Select(p => (Id: p, Marks: consumer.QueryWatermarkOffsets(new TopicPartition(o.Topic, p), Patience))).ToList();
            expected = partitions.Sum(p => p.Marks.High.Value - p.Marks.Low.Value);
            if (!o.Mock && o.Messages is { } n && n != expected)
                throw new InvalidOperationException($"topic {o.Topic} holds {expected} messages in the partitions read, not the {n} expected");
            var verifier = new ReadVerifier(o.Mock ? o.Messages ?? 1_000_000 : expected, o.Size); // the mock's tail holds the highest sequence numbers
            var state = partitions.ToDictionary(p => p.Id, p => (Check: new ReadVerifier.Partition(p.Id, p.Marks.Low.Value), End: p.Marks.High.Value));
            consumer.Assign(partitions.Where(p => p.Marks.High > p.Marks.Low)
                .Select(p => new TopicPartitionOffset(o.Topic, p.Id, p.Marks.Low)));
            using var progress = new CancellationTokenSource();
            clock.Start();
            var reporter = stats.ReportProgressAsync(o.Size, clock, progress.Token);
            try { Read(consumer, verifier, state, expected, stats, stop); }
            catch (Exception e) { failure = ProduceRun.Describe(e, stop); }
            clock.Stop();
            progress.Cancel();
            reporter.GetAwaiter().GetResult();
        }
        catch (Exception e) { failure = ProduceRun.Describe(e, stop); }
        if (failure is null && stats.Messages != expected) failure = $"read {stats.Messages} of {expected} messages";
        return new RunResult(stats.Messages, clock.Elapsed, stats.Total, failure);
    }

    private static void Read(IConsumer<Ignore, byte[]> consumer, ReadVerifier verifier,
        Dictionary<int, (ReadVerifier.Partition Check, long End)> state, long expected, RunStats stats, CancellationToken stop)
    {
        for (long read = 0; read < expected;)
        {
            long polledAt = Stopwatch.GetTimestamp();
            var result = consumer.Consume(stop);
            var (p, end) = state[result.Partition.Value];
            if (result.Offset.Value >= end) continue; // written after the run started: not part of it
            if (verifier.Check(p, result.Offset.Value, result.Message.Value) is { } wrong)
                throw new InvalidDataException(wrong);
            stats.Completed(1, polledAt);
            read++;
        }
    }
}
