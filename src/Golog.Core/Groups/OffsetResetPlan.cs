using Golog.Storage;

namespace Golog.Core.Groups;

/// <summary>
/// What a reset_offsets does to a group's offsets, worked out from the command and the offsets committed now: which
/// partitions (every one of the named topic, else every one the group has committed and that still exists) and
/// where each goes. An offset outside a partition's [log start, high watermark] is moved to the nearer bound, as
/// Kafka's tool does, so the group never starts from an offset it could not fetch.
/// </summary>
public sealed record OffsetResetPlan(IReadOnlyList<ResetPartition> Partitions, BrokerError? Error)
{
    public static OffsetResetPlan For(ResetOffsetsCommand cmd, IReadOnlyDictionary<TopicPartition, long> committed)
    {
        var bounds = cmd.Bounds ?? new Dictionary<TopicPartition, PartitionBounds>();
        var partitions = (cmd.Topic is { } topic ? bounds.Keys.Where(tp => tp.Topic == topic) : committed.Keys.Where(bounds.ContainsKey))
            .OrderBy(tp => tp.Topic, StringComparer.Ordinal).ThenBy(tp => tp.Partition)
            .ToList();
        if (partitions.Count == 0)
            return new([], new BrokerError(BrokerErrorCode.InvalidRequest, cmd.Topic is null
                ? $"group {cmd.Group} has no committed offsets for existing topics; name the topic to reset"
                : $"no partition of topic \"{cmd.Topic}\" is open yet; try again"));
        return new(partitions.Select(tp => new ResetPartition(tp, committed.TryGetValue(tp, out var c) ? c : null, Target(cmd.To, bounds[tp])))
            .ToList(), null);
    }

    private static long Target(OffsetReset to, PartitionBounds b) => to.Kind switch
    {
        OffsetResetKind.Earliest => b.LogStartOffset,
        OffsetResetKind.Latest => b.HighWatermark,
        _ => Math.Clamp(to.Offset, b.LogStartOffset, b.HighWatermark),
    };
}
