namespace Golog.Storage.Simulation;

/// <summary>
/// One file (an inode) of the <see cref="SimulatedDisk"/>: what a reader sees now (the page cache) and what is on the
/// platter (durable), with the changes in between kept in order, so a power loss can keep any legal part of them.
/// </summary>
internal sealed class SimulatedFile
{
    /// <summary>A change not yet made durable: a write (<see cref="Data"/> at <see cref="Position"/>) or a truncate to <see cref="Position"/> (Data null).</summary>
    internal readonly record struct Change(long Position, byte[]? Data);

    public Content Cache = new();
    public Content Durable = new();
    public readonly List<Change> Unsynced = [];
    public long Version; // bumped on every write: the simulated modification time

    public void Apply(Change change)
    {
        Cache.Apply(change);
        Unsynced.Add(change);
        Version++;
    }

    /// <summary>A successful fsync: every change so far is durable.</summary>
    public void Sync()
    {
        foreach (var c in Unsynced) Durable.Apply(c);
        Unsynced.Clear();
    }

    /// <summary>
    /// A failed fsync, as Linux does it (fsyncgate): the dirty pages are marked clean and dropped from writeback, so
    /// the changes stay visible to readers but will never reach the disk.
    /// </summary>
    public void LoseUnsynced() => Unsynced.Clear();

    /// <summary>A growable byte array with a length, the content of a file.</summary>
    internal sealed class Content
    {
        private byte[] _bytes = [];
        public long Length { get; private set; }
        public ReadOnlySpan<byte> Bytes => _bytes.AsSpan(0, (int)Length);

        public Content Clone() => new() { _bytes = _bytes[..(int)Length], Length = Length };

        public void Apply(Change change)
        {
            if (change.Data is null) { SetLength(change.Position); return; }
            long end = change.Position + change.Data.Length;
            if (end > Length) SetLength(end);
            change.Data.CopyTo(_bytes.AsSpan((int)change.Position));
        }

        private void SetLength(long length)
        {
            if (length > _bytes.Length) Array.Resize(ref _bytes, (int)Math.Max(length, _bytes.Length * 2L));
            if (length > Length) _bytes.AsSpan((int)Length, (int)(length - Length)).Clear();
            Length = length;
        }
    }
}
