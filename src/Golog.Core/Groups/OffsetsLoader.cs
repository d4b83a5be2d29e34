using Akka.Actor;
using Golog.Storage;

namespace Golog.Core.Groups;

/// <summary>
/// A new coordinator's replay of one offsets partition it now leads: reads the partition from its start through its
/// own partition actor, as a consumer would, up to the log end it had on becoming leader, waiting for the high
/// watermark to get there (every record before it is either acknowledged already or is this epoch's to acknowledge,
/// since the followers now copy this log). Every commit acknowledged before the leadership moved is in that range:
/// acks=all put it on every in-sync replica, and the new leader came from the in-sync replicas.
/// </summary>
public static class OffsetsLoader
{
    private const int ReadBytes = 1 << 20;
    private static readonly TimeSpan WaitForHighWatermark = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan RetryAfter = TimeSpan.FromMilliseconds(100);

    /// <summary>Replays <paramref name="tp"/> until cancelled (the leadership moved on) or done; a partition that refuses (not the leader yet) is asked again.</summary>
    public static async Task<OffsetsReplay> LoadAsync(PartitionRoute route, TopicPartition tp, CancellationToken cancel)
    {
        var replay = new OffsetsReplay();
        long next = 0;
        long? end = null;
        while (true)
        {
            cancel.ThrowIfCancellationRequested();
            // the first read does not wait: an empty partition is replayed at once
            var fetch = new FetchCommand(tp.Topic, tp.Partition, next, int.MaxValue, ReadBytes, end is null ? TimeSpan.Zero : WaitForHighWatermark);
            CoreReply reply;
            try { reply = await route.Actor.Ask<CoreReply>(new CoreRequest(0, fetch), TimeSpan.FromSeconds(10), cancel); }
            catch (AskTimeoutException) { continue; }
            switch (reply.Result)
            {
                case Fetched fetched:
                    end ??= route.Status.LogEndOffset; // published before a fetch is served as leader, so this is the log end on becoming leader
                    next = Apply(replay, fetched, next);
                    if (next >= end) return replay;
                    break;
                case Failed { Error: { Code: BrokerErrorCode.OffsetOutOfRange, LogStartOffset: { } start } } when start > next:
                    next = start; // retention configured for the topic cut its start
                    break;
                default:
                    await Task.Delay(RetryAfter, cancel); // not leading yet (the metadata is on its way), or the log cannot be read right now
                    break;
            }
        }
    }

    /// <summary>Applies the records of <paramref name="fetched"/> from <paramref name="next"/> on; returns the offset after the last whole batch.</summary>
    private static long Apply(OffsetsReplay replay, Fetched fetched, long next)
    {
        var bytes = fetched.Data.Bytes;
        while (RecordBatchReader.TryReadHeader(bytes, bytes.Length, out var batch) == BatchStatus.Ok)
        {
            foreach (var record in RecordBatchReader.Records(bytes[..batch.Size]))
                if (record.Offset >= next) replay.Apply(record.Key, record.Value);
            next = Math.Max(next, batch.NextOffset);
            bytes = bytes[batch.Size..];
        }
        return next;
    }
}
