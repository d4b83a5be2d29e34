namespace Golog.Storage;

/// <summary>
/// An <see cref="IFileSystem"/> that keeps at most <see cref="Capacity"/> of the files opened through it open at once:
/// a file's handle is opened when it is used and closed again, least recently used first, when another file needs the
/// room, so thousands of partitions (each with segment files) and the connections fit under the open-file limit
/// together. The files it hands out stay valid after their handle was closed: the next read, write, sync or truncate
/// reopens it (<see cref="FileMode.Open"/>). A handle in use on some thread is never closed under it; if every handle
/// is in use, one more opens beyond the capacity until the next use makes room (a bound of the threads doing storage
/// work, a handful). A handle closed with writes that were not yet fsync'd loses nothing: on Linux fsync through a
/// later handle flushes the file's dirty pages, whoever wrote them, and reports a writeback error nobody saw yet.
/// Thread-safe.
/// </summary>
public sealed class FileHandleCache : IFileSystem
{
    private readonly IFileSystem _inner;
    private readonly Lock _lock = new();
    private readonly LinkedList<CachedFile> _open = new(); // most recently used first; lock: _lock

    public FileHandleCache(IFileSystem inner, int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _inner = inner;
        Capacity = capacity;
    }

    /// <summary>How many handles may be open at once (exceeded only while every one is in use).</summary>
    public int Capacity { get; }

    /// <summary>Handles open now.</summary>
    public int OpenHandles
    {
        get { lock (_lock) return _open.Count; }
    }

    /// <summary>Opens the file now, so that the mode's checks (missing, already exists) and its truncation happen here.</summary>
    public IStorageFile Open(string path, FileMode mode)
    {
        var file = new CachedFile(this, path);
        lock (_lock)
        {
            MakeRoom();
            file.Attach(_inner.Open(path, mode));
        }
        return file;
    }

    public bool FileExists(string path) => _inner.FileExists(path);
    public void Delete(string path) => _inner.Delete(path);
    public void Rename(string from, string to) => _inner.Rename(from, to);
    public void SyncDirectory(string directory) => _inner.SyncDirectory(directory);
    public void CreateDirectory(string directory) => _inner.CreateDirectory(directory);
    public IReadOnlyList<string> ListFiles(string directory, string suffix) => _inner.ListFiles(directory, suffix);
    public DateTime LastWriteUtc(string path) => _inner.LastWriteUtc(path);
    public void SetLastWriteUtc(string path, DateTime time) => _inner.SetLastWriteUtc(path, time);

    // lock: _lock. Closes idle handles from the least recently used end until one more fits.
    private void MakeRoom()
    {
        var node = _open.Last;
        while (_open.Count >= Capacity && node is not null)
        {
            var previous = node.Previous;
            if (node.Value.Users == 0) node.Value.Detach();
            node = previous;
        }
    }

    /// <summary>A file whose handle comes and goes; every call holds the handle (a user) for its duration.</summary>
    private sealed class CachedFile : IStorageFile
    {
        private readonly FileHandleCache _cache;
        private readonly string _path;
        private readonly LinkedListNode<CachedFile> _node; // in the cache's list while the handle is open
        private IStorageFile? _handle; // lock: _cache._lock
        private bool _disposed;        // lock: _cache._lock

        public CachedFile(FileHandleCache cache, string path)
        {
            _cache = cache;
            _path = path;
            _node = new LinkedListNode<CachedFile>(this);
        }

        /// <summary>Calls using the handle now. Lock: the cache's.</summary>
        public int Users { get; private set; }

        private LinkedList<CachedFile> Open => _cache._open;

        // lock: _cache._lock
        public void Attach(IStorageFile handle)
        {
            _handle = handle;
            Open.AddFirst(_node);
        }

        // lock: _cache._lock
        public void Detach()
        {
            if (_handle is null) return;
            _handle.Dispose();
            _handle = null;
            Open.Remove(_node);
        }

        public long Length
        {
            get
            {
                var handle = Acquire();
                try { return handle.Length; }
                finally { Release(); }
            }
        }

        public int Read(Span<byte> destination, long position)
        {
            var handle = Acquire();
            try { return handle.Read(destination, position); }
            finally { Release(); }
        }

        public void Write(ReadOnlySpan<byte> source, long position)
        {
            var handle = Acquire();
            try { handle.Write(source, position); }
            finally { Release(); }
        }

        public void Sync()
        {
            var handle = Acquire();
            try { handle.Sync(); }
            finally { Release(); }
        }

        public void SetLength(long length)
        {
            var handle = Acquire();
            try { handle.SetLength(length); }
            finally { Release(); }
        }

        /// <summary>Closes the handle now, or, if a call on another thread uses it, when that call ends.</summary>
        public void Dispose()
        {
            lock (_cache._lock)
            {
                if (_disposed) return;
                _disposed = true;
                if (Users == 0) Detach();
            }
        }

        private IStorageFile Acquire()
        {
            lock (_cache._lock)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                if (_handle is null)
                {
                    _cache.MakeRoom();
                    Attach(_cache._inner.Open(_path, FileMode.Open));
                }
                else if (Open.First != _node)
                {
                    Open.Remove(_node);
                    Open.AddFirst(_node);
                }
                Users++;
                return _handle!;
            }
        }

        private void Release()
        {
            lock (_cache._lock)
            {
                Users--;
                if (_disposed && Users == 0) Detach();
            }
        }
    }
}
