namespace Golog.Storage;

/// <summary>
/// Dedicated threads that run <see cref="SyncJob"/>s (every fsync of a partition's log), so a partition's owner keeps appending (and readers keep reading) while a
/// sync is in flight, and no shared thread-pool thread ever blocks on the disk. Idle threads sleep in Monitor.Wait
/// rather than a spinning semaphore (BlockingCollection): on a small machine, spinning between fsyncs took CPU
/// from the threads that serve clients.
/// </summary>
public sealed class SyncWorker : IDisposable
{
    private readonly Queue<(SyncJob Job, TaskCompletionSource Done)> _queue = new(); // lock: itself
    private readonly Thread[] _threads;
    private bool _disposed; // lock: _queue

    public SyncWorker(int threadCount)
    {
        _threads = new Thread[Math.Max(1, threadCount)];
        for (int i = 0; i < _threads.Length; i++)
        {
            _threads[i] = new Thread(Run) { IsBackground = true, Name = $"golog-sync-{i}" };
            _threads[i].Start();
        }
    }

    /// <summary>
    /// Completes when the job has run; faults with the IOException if one of its fsyncs fails. Continuations that ask
    /// to run synchronously run on the sync thread (a partition's "sync done" message is sent from there, without a
    /// hop through the thread pool), so they must be quick and never block.
    /// </summary>
    public Task SyncAsync(SyncJob job)
    {
        var done = new TaskCompletionSource();
        lock (_queue)
        {
            if (_disposed) done.SetException(new ObjectDisposedException(nameof(SyncWorker)));
            else
            {
                _queue.Enqueue((job, done));
                Monitor.Pulse(_queue);
            }
        }
        return done.Task;
    }

    public void Dispose()
    {
        lock (_queue)
        {
            _disposed = true;
            Monitor.PulseAll(_queue);
        }
        foreach (var t in _threads) t.Join(TimeSpan.FromSeconds(10));
    }

    private void Run()
    {
        while (Next() is { } item)
        {
            var (job, done) = item;
            long started = System.Diagnostics.Stopwatch.GetTimestamp();
            try
            {
                job.Run();
                StorageMetrics.FsyncDuration.Record(System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds);
                done.SetResult();
            }
            catch (Exception e)
            {
                StorageMetrics.Errors.Add(1);
                done.SetException(e);
            }
        }
    }

    /// <summary>The next queued sync; null once disposed and drained.</summary>
    private (SyncJob Job, TaskCompletionSource Done)? Next()
    {
        lock (_queue)
        {
            while (_queue.Count == 0 && !_disposed) Monitor.Wait(_queue);
            return _queue.TryDequeue(out var item) ? item : null;
        }
    }
}
