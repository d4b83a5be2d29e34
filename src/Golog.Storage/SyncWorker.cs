using System.Collections.Concurrent;

namespace Golog.Storage;

/// <summary>
/// Dedicated threads that fsync segments, so a partition's owner keeps appending (and readers keep reading) while a
/// sync is in flight, and no shared thread-pool thread ever blocks on the disk.
/// </summary>
public sealed class SyncWorker : IDisposable
{
    private readonly BlockingCollection<(Segment[] Segments, TaskCompletionSource Done)> _queue = new();
    private readonly Thread[] _threads;

    public SyncWorker(int threadCount)
    {
        _threads = new Thread[Math.Max(1, threadCount)];
        for (int i = 0; i < _threads.Length; i++)
        {
            _threads[i] = new Thread(Run) { IsBackground = true, Name = $"golog-sync-{i}" };
            _threads[i].Start();
        }
    }

    /// <summary>Completes when every segment is synced; faults with the IOException if one sync fails.</summary>
    public Task SyncAsync(Segment[] segments)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        try { _queue.Add((segments, done)); }
        catch (InvalidOperationException) { done.SetException(new ObjectDisposedException(nameof(SyncWorker))); }
        return done.Task;
    }

    public void Dispose()
    {
        _queue.CompleteAdding();
        foreach (var t in _threads) t.Join(TimeSpan.FromSeconds(10));
    }

    private void Run()
    {
        foreach (var (segments, done) in _queue.GetConsumingEnumerable())
        {
            try
            {
                foreach (var s in segments) s.Sync();
                done.SetResult();
            }
            catch (Exception e)
            {
                done.SetException(e);
            }
        }
    }
}
