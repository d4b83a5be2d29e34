namespace Golog.Core;

/// <summary>
/// A partition's bounds, published by its actor after every change and read by anyone (metadata, lag) without a
/// round trip through the partition's mailbox.
/// </summary>
public sealed class PartitionStatus
{
    private readonly TaskCompletionSource _opened = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _logStartOffset;
    private long _highWatermark;
    private long _logEndOffset;
    private long _sizeBytes;

    /// <summary>
    /// Completes when the partition first publishes its bounds (its log is open), or stops without ever opening it.
    /// Until then the bounds read 0 although the log on disk may hold data, so answers built from them must wait.
    /// </summary>
    public Task Opened => _opened.Task;

    public long LogStartOffset => Volatile.Read(ref _logStartOffset);
    public long HighWatermark => Volatile.Read(ref _highWatermark);
    /// <summary>Where the next append goes (appended, maybe not yet acknowledged); for gauges and the admin API.</summary>
    public long LogEndOffset => Volatile.Read(ref _logEndOffset);
    /// <summary>Bytes of the partition's segment files.</summary>
    public long SizeBytes => Volatile.Read(ref _sizeBytes);

    public void Publish(long logStartOffset, long highWatermark, long logEndOffset = 0, long sizeBytes = 0)
    {
        Volatile.Write(ref _logStartOffset, logStartOffset);
        Volatile.Write(ref _highWatermark, highWatermark);
        Volatile.Write(ref _logEndOffset, Math.Max(logEndOffset, highWatermark));
        Volatile.Write(ref _sizeBytes, sizeBytes);
        _opened.TrySetResult();
    }

    /// <summary>The partition actor stopped (possibly before its log could be opened): nobody should keep waiting for <see cref="Opened"/>.</summary>
    public void Abandon() => _opened.TrySetResult();
}
