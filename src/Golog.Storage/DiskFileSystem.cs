using Microsoft.Win32.SafeHandles;

namespace Golog.Storage;

/// <summary>The real disk. A file is a <see cref="SafeFileHandle"/> used with <see cref="RandomAccess"/>: no buffering, no allocation per call.</summary>
public sealed class DiskFileSystem : IFileSystem
{
    public static readonly DiskFileSystem Instance = new();

    private DiskFileSystem() { }

    public IStorageFile Open(string path, FileMode mode) =>
        new DiskFile(File.OpenHandle(path, mode, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete));

    public bool FileExists(string path) => File.Exists(path);
    public void Delete(string path) => File.Delete(path);
    public void Rename(string from, string to) => File.Move(from, to, overwrite: true);
    public void CreateDirectory(string directory) => Directory.CreateDirectory(directory);
    public DateTime LastWriteUtc(string path) => File.GetLastWriteTimeUtc(path);
    public void SetLastWriteUtc(string path, DateTime time) => File.SetLastWriteTimeUtc(path, time);

    public IReadOnlyList<string> ListFiles(string directory, string suffix) =>
        Directory.Exists(directory) ? Directory.GetFiles(directory, "*" + suffix) : [];

    /// <summary>No-op where directories cannot be opened (Windows makes renames durable itself).</summary>
    public void SyncDirectory(string directory)
    {
        if (OperatingSystem.IsWindows()) return;
        int fd = Posix.open(directory, 0 /* O_RDONLY */);
        if (fd < 0) return;
        try
        {
            if (Posix.fsync(fd) != 0)
                throw new IOException($"fsync of directory {directory} failed (errno {System.Runtime.InteropServices.Marshal.GetLastPInvokeError()})");
        }
        finally { Posix.close(fd); }
    }

    private sealed class DiskFile(SafeFileHandle handle) : IStorageFile
    {
        public long Length => RandomAccess.GetLength(handle);
        public int Read(Span<byte> destination, long position) => RandomAccess.Read(handle, destination, position);
        public void Write(ReadOnlySpan<byte> source, long position) => RandomAccess.Write(handle, source, position);
        public void Sync() => RandomAccess.FlushToDisk(handle);
        public void SetLength(long length) => RandomAccess.SetLength(handle, length);
        public void Dispose() => handle.Dispose();
    }
}

internal static partial class Posix
{
    [System.Runtime.InteropServices.LibraryImport("libc", StringMarshalling = System.Runtime.InteropServices.StringMarshalling.Utf8)]
    internal static partial int open(string path, int flags);

    [System.Runtime.InteropServices.LibraryImport("libc", SetLastError = true)]
    internal static partial int fsync(int fd);

    [System.Runtime.InteropServices.LibraryImport("libc")]
    internal static partial int close(int fd);
}
