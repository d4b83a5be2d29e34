using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Text;
using Golog.Core;
using Golog.Storage;

namespace Golog.Broker.Doors;

/// <summary>
/// What every door counts, labelled with the door's name (<see cref="Door.Name"/>), so a new door's connections and
/// requests show up without instruments of its own: the shared <see cref="ConnectionActor{TContext}"/> records them.
/// A door that adds instruments of its own creates them here, one line each, with the same "door" label.
/// </summary>
public static class DoorMetrics
{
    private static readonly Meter Meter = new(StorageMetrics.Name);
    private static readonly ConcurrentDictionary<Type, string> RequestNames = new();

    public static readonly UpDownCounter<long> Connections = Meter.CreateUpDownCounter<long>("golog.connections", null, "Open client connections");

    public static readonly Histogram<double> RequestDuration = Meter.CreateHistogram<double>("golog.request.duration", "s",
        "From a whole request received to its reply encoded",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5, 30] });

    public static readonly Counter<long> RejectedRequests = Meter.CreateCounter<long>("golog.rejected.requests", null,
        "Requests answered with an error, by the error's code");

    public static KeyValuePair<string, object?> Door(string door) => new("door", door);

    /// <summary>A command's request name as the JSON wire spells it: ProduceCommand → produce, DescribeGroupQuery → describe_group.</summary>
    public static string RequestName(ICoreCommand command) => RequestNames.GetOrAdd(command.GetType(), type =>
    {
        string name = type.Name;
        foreach (var suffix in (string[])["Command", "Query"])
            if (name.EndsWith(suffix, StringComparison.Ordinal)) name = name[..^suffix.Length];
        var snake = new StringBuilder();
        foreach (char c in name)
        {
            if (char.IsUpper(c) && snake.Length > 0) snake.Append('_');
            snake.Append(char.ToLowerInvariant(c));
        }
        return snake.ToString();
    });
}
