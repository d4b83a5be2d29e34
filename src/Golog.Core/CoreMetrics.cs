using System.Diagnostics.Metrics;
using Golog.Storage;

namespace Golog.Core;

/// <summary>
/// What partitions count as they work, on the broker's meter (<see cref="StorageMetrics.Name"/>). Recorded once per
/// acknowledged sync or served fetch (not per message), tagged by topic, so the hot path pays a few adds per batch.
/// The gauges (partition bounds, group lag) are read when scraped: <see cref="BrokerGauges"/>.
/// </summary>
public static class CoreMetrics
{
    private static readonly Meter Meter = new(StorageMetrics.Name);

    // A MeterListener recognises these by name: comparing with the fields fails for instruments published while this
    // class is still being initialised (the fields are not assigned yet when the listener is told about them).
    public const string ProducedMessagesName = "golog.produced.messages";
    public const string FetchedMessagesName = "golog.fetched.messages";

    public static readonly Counter<long> ProducedMessages = Meter.CreateCounter<long>(ProducedMessagesName, null, "Messages acknowledged to producers");
    public static readonly Counter<long> ProducedBytes = Meter.CreateCounter<long>("golog.produced.bytes", null, "Bytes of record batches acknowledged to producers");
    public static readonly Counter<long> FetchedMessages = Meter.CreateCounter<long>(FetchedMessagesName, null, "Messages served to fetches");
    public static readonly Counter<long> FetchedBytes = Meter.CreateCounter<long>("golog.fetched.bytes", null, "Bytes of record batches served to fetches");

    /// <summary>How well group commit works: messages one fsync acknowledged (golog_group_commit_messages).</summary>
    public static readonly Histogram<long> GroupCommitMessages = Meter.CreateHistogram<long>("golog.group_commit.messages", null,
        "Messages acknowledged by one fsync of a partition",
        advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = [1, 2, 5, 10, 50, 100, 500, 1000, 5000, 10000, 50000, 100000] });

    /// <summary>ISR changes the controller granted to partitions this node leads (golog_isr_changes_total; Kafka's IsrShrinks/IsrExpands).</summary>
    public static readonly Counter<long> IsrChanges = Meter.CreateCounter<long>("golog.isr_changes", null, "In-sync replica set changes of partitions led here");

    public static KeyValuePair<string, object?> Topic(string topic) => new("topic", topic);
}
