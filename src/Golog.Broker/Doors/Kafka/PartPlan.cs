using Golog.Core;

namespace Golog.Broker.Doors.Kafka;

/// <summary>
/// The entries of a request naming many topic-partitions, in request order: each is sent to the core as one part,
/// or refused by the door before it gets there. The API's encoder walks its entries in the same order and takes
/// each one's result with <see cref="ResultOf"/>.
/// </summary>
public sealed class PartPlan
{
    private readonly List<ICoreCommand> _commands = [];
    private readonly List<(int Part, BrokerError? Refused)> _entries = [];

    public IReadOnlyList<ICoreCommand> Commands => _commands;

    public void Send(ICoreCommand command)
    {
        _entries.Add((_commands.Count, null));
        _commands.Add(command);
    }

    public void Refuse(BrokerError error) => _entries.Add((-1, error));

    /// <summary>The result of entry <paramref name="entry"/> (its position in request order).</summary>
    public ICoreResult ResultOf(int entry, PartResults results) =>
        _entries[entry].Refused is { } error ? new Failed(error) : results.Results[_entries[entry].Part];
}

/// <summary>A request's topics with their partitions, in request order: the shape most Kafka responses repeat.</summary>
public sealed record TopicPartitions(string Topic, int[] Partitions);
