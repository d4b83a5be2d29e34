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

    /// <summary>
    /// Completes when the partition first publishes its bounds (its log is open), or stops without ever opening it.
    /// Until then the bounds read 0 although the log on disk may hold data, so answers built from them must wait.
    /// </summary>
    public Task Opened => _opened.Task;

    public long LogStartOffset => Volatile.Read(ref _logStartOffset);
    public long HighWatermark => Volatile.Read(ref _highWatermark);

    public void Publish(long logStartOffset, long highWatermark)
    {
        Volatile.Write(ref _logStartOffset, logStartOffset);
        Volatile.Write(ref _highWatermark, highWatermark);
        _opened.TrySetResult();
    }

    /// <summary>The partition actor stopped (possibly before its log could be opened): nobody should keep waiting for <see cref="Opened"/>.</summary>
    public void Abandon() => _opened.TrySetResult();
}
