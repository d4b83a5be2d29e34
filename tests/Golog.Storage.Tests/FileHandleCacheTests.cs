using System.Text;
using Serilog.Core;

namespace Golog.Storage.Tests;

/// <summary>
/// The handle cache keeps at most its capacity of real handles open, and the files and logs over it behave as if
/// every file stayed open: reads, appends, truncations and fsyncs after a handle was closed reopen it.
/// </summary>
public sealed class FileHandleCacheTests : TempDirectoryTest
{
    private readonly CountingFileSystem _disk = new();

    [Fact]
    public void More_files_than_handles_each_read_back_what_was_written_to_it()
    {
        var cache = new FileHandleCache(_disk, capacity: 3);
        var files = Enumerable.Range(0, 10).Select(i => cache.Open(Path.Combine(Root, $"f{i}"), FileMode.CreateNew)).ToList();
        for (int i = 0; i < files.Count; i++) files[i].Write(Encoding.UTF8.GetBytes($"first-{i};"), 0);
        Assert.True(_disk.MostOpen <= 3, $"{_disk.MostOpen} handles were open at once");
        for (int i = 0; i < files.Count; i++)
        {
            // an append after the handle was evicted lands after what is there: the reopen does not truncate (CreateNew did once)
            files[i].Write(Encoding.UTF8.GetBytes($"second-{i}"), files[i].Length);
            files[i].Sync();
        }
        for (int i = 0; i < files.Count; i++)
        {
            var bytes = new byte[64];
            int n = files[i].Read(bytes, 0);
            Assert.Equal($"first-{i};second-{i}", Encoding.UTF8.GetString(bytes, 0, n));
        }
        Assert.True(_disk.MostOpen <= 3, $"{_disk.MostOpen} handles were open at once");
        Assert.Equal(3, cache.OpenHandles);
        foreach (var f in files) f.Dispose();
        Assert.Equal(0, cache.OpenHandles);
        Assert.Equal(0, _disk.Open);
    }

    [Fact]
    public void The_least_recently_used_handle_is_the_one_closed()
    {
        var cache = new FileHandleCache(_disk, capacity: 2);
        var a = cache.Open(Path.Combine(Root, "a"), FileMode.CreateNew);
        var b = cache.Open(Path.Combine(Root, "b"), FileMode.CreateNew);
        a.Write([1], 0); // a is now the most recently used
        int opensBefore = _disk.Opens;
        var c = cache.Open(Path.Combine(Root, "c"), FileMode.CreateNew); // evicts b
        a.Write([2], 1);
        Assert.Equal(opensBefore + 1, _disk.Opens); // a kept its handle
        b.Write([3], 0);
        Assert.Equal(opensBefore + 2, _disk.Opens); // b had to reopen
        foreach (var f in new[] { a, b, c }) f.Dispose();
    }

    [Fact]
    public void A_mode_is_checked_when_the_file_is_opened_and_a_disposed_file_refuses_use()
    {
        var cache = new FileHandleCache(_disk, capacity: 1);
        var path = Path.Combine(Root, "segment");
        using (var created = cache.Open(path, FileMode.CreateNew)) created.Write([42], 0);
        Assert.Throws<IOException>(() => cache.Open(path, FileMode.CreateNew));
        Assert.Throws<FileNotFoundException>(() => cache.Open(Path.Combine(Root, "missing"), FileMode.Open));
        var file = cache.Open(path, FileMode.Open);
        file.Dispose();
        Assert.Throws<ObjectDisposedException>(file.Sync); // what Segment.Sync relies on after a deletion
    }

    [Fact]
    public void A_log_of_many_segments_over_two_handles_appends_reads_rolls_truncates_and_reopens_every_record()
    {
        var cache = new FileHandleCache(_disk, capacity: 2);
        var config = new LogConfig { SegmentMessages = 4 };
        var dir = PartitionDir;
        using (var log = PartitionLog.Open(dir, config, cleanShutdown: false, Logger.None, cache))
        {
            log.AppendUpTo(40); // ten segments
            log.AssertReadsEveryOffset(0, 40);
            log.AppendUpTo(42);
            log.Append(LogTestExtensions.Records("not acknowledged"), LogTestExtensions.Timestamp);
            log.WritePending();
            log.TruncateTo(42);
            log.AppendUpTo(44);
            log.AssertReadsEveryOffset(0, 44);
            log.Close();
        }
        Assert.True(_disk.MostOpen <= 3, $"{_disk.MostOpen} handles were open at once"); // two, and one in use beyond them at most
        foreach (bool clean in new[] { true, false })
        {
            using var reopened = PartitionLog.Open(dir, config, cleanShutdown: clean, Logger.None, cache);
            Assert.Equal(44, reopened.LogEndOffset);
            reopened.AssertReadsEveryOffset(0, 44);
            reopened.Close();
        }
        Assert.Equal(0, _disk.Open);
    }

    /// <summary>The real disk, counting the handles open through it.</summary>
    private sealed class CountingFileSystem : IFileSystem
    {
        private readonly IFileSystem _disk = DiskFileSystem.Instance;
        public int Open { get; private set; }
        public int MostOpen { get; private set; }
        public int Opens { get; private set; }

        IStorageFile IFileSystem.Open(string path, FileMode mode)
        {
            var file = _disk.Open(path, mode);
            Opens++;
            MostOpen = Math.Max(MostOpen, ++Open);
            return new Counted(file, this);
        }

        public bool FileExists(string path) => _disk.FileExists(path);
        public void Delete(string path) => _disk.Delete(path);
        public void Rename(string from, string to) => _disk.Rename(from, to);
        public void SyncDirectory(string directory) => _disk.SyncDirectory(directory);
        public void CreateDirectory(string directory) => _disk.CreateDirectory(directory);
        public IReadOnlyList<string> ListFiles(string directory, string suffix) => _disk.ListFiles(directory, suffix);
        public DateTime LastWriteUtc(string path) => _disk.LastWriteUtc(path);
        public void SetLastWriteUtc(string path, DateTime time) => _disk.SetLastWriteUtc(path, time);

        private sealed class Counted(IStorageFile file, CountingFileSystem owner) : IStorageFile
        {
            public long Length => file.Length;
            public int Read(Span<byte> destination, long position) => file.Read(destination, position);
            public void Write(ReadOnlySpan<byte> source, long position) => file.Write(source, position);
            public void Sync() => file.Sync();
            public void SetLength(long length) => file.SetLength(length);
            public void Dispose()
            {
                file.Dispose();
                owner.Open--;
            }
        }
    }
}
