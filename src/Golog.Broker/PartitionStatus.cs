namespace Golog.Broker;

/// <summary>
/// A partition's bounds, published by its actor after every change and read by anyone (metadata, lag) without a
/// round trip through the partition's mailbox.
/// </summary>
public sealed class PartitionStatus
{
    private long _logStartOffset;
    private long _highWatermark;

    public long LogStartOffset => Volatile.Read(ref _logStartOffset);
    public long HighWatermark => Volatile.Read(ref _highWatermark);

    public void Publish(long logStartOffset, long highWatermark)
    {
        Volatile.Write(ref _logStartOffset, logStartOffset);
        Volatile.Write(ref _highWatermark, highWatermark);
    }
}
