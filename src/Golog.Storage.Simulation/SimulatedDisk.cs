namespace Golog.Storage.Simulation;

/// <summary>
/// An in-memory disk that keeps, per file and per directory entry, what is durable and what is only in the page
/// cache, and can lose power at a chosen operation. Power loss keeps, per file, one legal post-crash state of its
/// unsynced changes (none; a prefix; a random subset, as reordered writeback does; all but a write torn at a 512-byte
/// sector), and per directory a random part of its unsynced creates, renames and deletes. Directories themselves
/// are durable at once (storage creates them once, before anything is written in them). Every random choice comes
/// from the seeded generator given, so a run replays exactly. Thread-safe: a sync thread may fsync while the owner writes.
/// </summary>
public sealed class SimulatedDisk : IFileSystem
{
    public const int SectorSize = 512;
    private readonly Lock _lock = new();
    private readonly Random _random;
    private readonly HashSet<string> _directories = [];
    private Dictionary<string, SimulatedFile> _names = [];        // what a reader sees now
    private Dictionary<string, SimulatedFile> _durableNames = []; // what survives a power loss
    // a create (Added), a delete (Removed) or a rename (both, atomic as rename(2) is), in one directory
    private readonly List<(string Directory, string? Removed, string? Added, SimulatedFile? File)> _unsyncedNames = [];
    private readonly List<(DiskFault Fault, long From)> _faults = [];
    private long _crashAt = long.MaxValue;
    private bool _powerLost;
    private int _generation; // handles opened before a power cycle are dead

    public SimulatedDisk(Random random) => _random = random;

    /// <summary>Operations that change the disk (write, truncate, fsync, create, rename, delete): the possible crash points.</summary>
    public long Operations { get; private set; }
    public long Fsyncs { get; private set; }
    public bool PowerLost { get { lock (_lock) return _powerLost; } }

    /// <summary>Loses power when operation number <paramref name="operation"/> (see <see cref="Operations"/>) starts; a write then reaches the cache first, so it may be torn.</summary>
    public void CrashAt(long operation) { lock (_lock) _crashAt = operation; }

    /// <summary>Injects <paramref name="fault"/> once, at the first operation of its kind numbered <paramref name="fromOperation"/> or later.</summary>
    public void Inject(DiskFault fault, long fromOperation) { lock (_lock) _faults.Add((fault, fromOperation)); }

    /// <summary>
    /// Power comes back: the disk holds what survived (chosen now, from the seeded generator), every open handle is
    /// dead, faults and the crash point are cleared.
    /// </summary>
    public void PowerCycle()
    {
        lock (_lock)
        {
            var names = new Dictionary<string, SimulatedFile>(_durableNames);
            bool inOrder = _random.Next(2) == 0; // a journal commits in order; without one, any subset
            bool stop = false;
            foreach (var change in _unsyncedNames)
            {
                if (stop) break;
                if (_random.Next(2) == 0) { stop = inOrder; continue; }
                Apply(names, change);
            }
            var survivors = new Dictionary<SimulatedFile, SimulatedFile>();
            _names = [];
            foreach (var (path, file) in names)
            {
                if (!survivors.TryGetValue(file, out var after)) survivors[file] = after = Survive(file);
                _names[path] = after;
            }
            _durableNames = new Dictionary<string, SimulatedFile>(_names);
            _unsyncedNames.Clear();
            _faults.Clear();
            _crashAt = long.MaxValue;
            _powerLost = false;
            _generation++;
        }
    }

    private SimulatedFile Survive(SimulatedFile file)
    {
        var content = file.Durable.Clone();
        var changes = file.Unsynced;
        switch (changes.Count == 0 ? 0 : _random.Next(4))
        {
            case 0: break; // every unsynced change lost
            case 1: // a prefix
                int keep = _random.Next(changes.Count + 1);
                for (int i = 0; i < keep; i++) content.Apply(changes[i]);
                break;
            case 2: // any subset, in order: writeback reorders
                foreach (var c in changes) if (_random.Next(2) == 0) content.Apply(c);
                break;
            default: // all but the last, which is torn at a sector boundary inside it (if it crosses one)
                for (int i = 0; i < changes.Count - 1; i++) content.Apply(changes[i]);
                var last = changes[^1];
                if (last.Data is null) { content.Apply(last); break; }
                long firstBoundary = (last.Position / SectorSize + 1) * SectorSize;
                long end = last.Position + last.Data.Length;
                if (firstBoundary >= end) break;
                long sectors = (end - firstBoundary) / SectorSize;
                long cut = firstBoundary + _random.NextInt64(sectors + 1) * SectorSize;
                content.Apply(new SimulatedFile.Change(last.Position, last.Data[..(int)(cut - last.Position)]));
                break;
        }
        var after = new SimulatedFile { Version = file.Version };
        after.Cache = content.Clone();
        after.Durable = content;
        return after;
    }

    public IStorageFile Open(string path, FileMode mode)
    {
        lock (_lock)
        {
            CheckPower();
            bool exists = _names.TryGetValue(path, out var file);
            if (!_directories.Contains(Parent(path))) throw new DirectoryNotFoundException($"Could not find a part of the path '{path}'.");
            switch (mode)
            {
                case FileMode.Open when !exists: throw new FileNotFoundException($"Could not find file '{path}'.", path);
                case FileMode.CreateNew when exists: throw new IOException($"The file '{path}' already exists.");
                case FileMode.Create when exists:
                    Change(); // truncate to 0
                    file!.Apply(new SimulatedFile.Change(0, null));
                    break;
            }
            if (file is null)
            {
                Change();
                file = new SimulatedFile();
                Name(path, file);
            }
            return new Handle(this, file, _generation);
        }
    }

    public bool FileExists(string path) { lock (_lock) { CheckPower(); return _names.ContainsKey(path); } }

    public void Delete(string path)
    {
        lock (_lock)
        {
            CheckPower();
            if (!_names.ContainsKey(path)) return;
            Change();
            _names.Remove(path);
            _unsyncedNames.Add((Parent(path), path, null, null));
        }
    }

    public void Rename(string from, string to)
    {
        lock (_lock)
        {
            CheckPower();
            if (!_names.TryGetValue(from, out var file)) throw new FileNotFoundException($"Could not find file '{from}'.", from);
            Change();
            _names.Remove(from);
            _names[to] = file;
            _unsyncedNames.Add((Parent(to), from, to, file));
        }
    }

    public void SyncDirectory(string directory)
    {
        lock (_lock)
        {
            CheckPower();
            Change();
            Fsyncs++;
            if (Fault(DiskFault.SyncError)) throw new IOException($"fsync of directory {directory} failed: Input/output error");
            foreach (var change in _unsyncedNames)
                if (change.Directory == directory) Apply(_durableNames, change);
            _unsyncedNames.RemoveAll(n => n.Directory == directory);
        }
    }

    public void CreateDirectory(string directory)
    {
        lock (_lock)
        {
            CheckPower();
            for (var d = directory; !string.IsNullOrEmpty(d); d = Path.GetDirectoryName(d)) _directories.Add(d);
        }
    }

    public IReadOnlyList<string> ListFiles(string directory, string suffix)
    {
        lock (_lock)
        {
            CheckPower();
            return [.. _names.Keys.Where(p => Parent(p) == directory && p.EndsWith(suffix, StringComparison.Ordinal)).Order(StringComparer.Ordinal)];
        }
    }

    /// <summary>The simulated clock: one tick per write to the file, from a fixed epoch (retention by age is not simulated).</summary>
    public DateTime LastWriteUtc(string path)
    {
        lock (_lock)
        {
            CheckPower();
            return _names.TryGetValue(path, out var f) ? DateTime.UnixEpoch.AddTicks(f.Version) : DateTime.UnixEpoch;
        }
    }

    /// <summary>Nothing to do: the simulated clock only counts writes, and retention by age is not simulated.</summary>
    public void SetLastWriteUtc(string path, DateTime time) { }

    private void Name(string path, SimulatedFile file)
    {
        _names[path] = file;
        _unsyncedNames.Add((Parent(path), null, path, file));
    }

    private static void Apply(Dictionary<string, SimulatedFile> names, (string Directory, string? Removed, string? Added, SimulatedFile? File) change)
    {
        if (change.Removed is { } removed)
        {
            // a rename whose source never became durable renames nothing
            if (change.Added is not null && (!names.TryGetValue(removed, out var source) || source != change.File)) return;
            names.Remove(removed);
        }
        if (change.Added is { } added) names[added] = change.File!;
    }

    private static string Parent(string path) => Path.GetDirectoryName(path) ?? "";

    private void CheckPower()
    {
        if (_powerLost) throw new PowerLostException();
    }

    /// <summary>Counts one change to the disk; at the crash point the power goes.</summary>
    private void Change()
    {
        if (++Operations < _crashAt) return;
        _powerLost = true;
        throw new PowerLostException();
    }

    private bool Fault(DiskFault kind)
    {
        int i = _faults.FindIndex(f => f.Fault == kind && f.From <= Operations);
        if (i < 0) return false;
        _faults.RemoveAt(i);
        return true;
    }

    private sealed class Handle(SimulatedDisk disk, SimulatedFile file, int generation) : IStorageFile
    {
        private bool _disposed;

        public long Length { get { lock (disk._lock) { Check(); return file.Cache.Length; } } }

        public int Read(Span<byte> destination, long position)
        {
            lock (disk._lock)
            {
                Check();
                var bytes = file.Cache.Bytes;
                if (position >= bytes.Length) return 0;
                int n = (int)Math.Min(destination.Length, bytes.Length - position);
                bytes.Slice((int)position, n).CopyTo(destination);
                if (n > 0 && disk.Fault(DiskFault.BitFlipOnRead))
                    destination[disk._random.Next(n)] ^= (byte)(1 << disk._random.Next(8));
                return n;
            }
        }

        public void Write(ReadOnlySpan<byte> source, long position)
        {
            lock (disk._lock)
            {
                Check();
                bool crash = false;
                try { disk.Change(); }
                catch (PowerLostException) { crash = true; } // the write reaches the cache, then the power goes: it may be torn
                var failure = disk.Fault(DiskFault.WriteError) ? "Input/output error" : disk.Fault(DiskFault.DiskFull) ? "No space left on device" : null;
                int length = failure is null ? source.Length : disk._random.Next(source.Length + 1);
                if (length > 0) file.Apply(new SimulatedFile.Change(position, source[..length].ToArray()));
                if (crash) throw new PowerLostException();
                if (failure is not null) throw new IOException($"write failed: {failure}");
            }
        }

        public void Sync()
        {
            lock (disk._lock)
            {
                Check();
                disk.Change();
                disk.Fsyncs++;
                if (disk.Fault(DiskFault.SyncError))
                {
                    file.LoseUnsynced();
                    throw new IOException("fsync failed: Input/output error");
                }
                file.Sync();
            }
        }

        public void SetLength(long length)
        {
            lock (disk._lock)
            {
                Check();
                disk.Change();
                file.Apply(new SimulatedFile.Change(length, null));
            }
        }

        public void Dispose() { lock (disk._lock) _disposed = true; }

        private void Check()
        {
            disk.CheckPower();
            ObjectDisposedException.ThrowIf(_disposed || generation != disk._generation, this);
        }
    }
}
