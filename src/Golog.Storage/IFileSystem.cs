namespace Golog.Storage;

/// <summary>
/// The only way storage touches the disk: every segment, index, checkpoint, marker and offsets file goes through
/// it, so a simulated disk (Golog.Storage.Simulation) can stand in for the real one and lose power at any call.
/// Paths are full paths. Namespace changes (create, rename, delete) are durable only after <see cref="SyncDirectory"/>
/// of the directory holding them; file contents only after <see cref="IStorageFile.Sync"/>.
/// </summary>
public interface IFileSystem
{
    /// <summary>Opens a file for reading and writing (<see cref="FileMode.Open"/>, <see cref="FileMode.CreateNew"/>, <see cref="FileMode.Create"/>, <see cref="FileMode.OpenOrCreate"/>).</summary>
    IStorageFile Open(string path, FileMode mode);
    bool FileExists(string path);
    /// <summary>Removes a file; nothing happens if there is none.</summary>
    void Delete(string path);
    /// <summary>Renames <paramref name="from"/> over <paramref name="to"/>, replacing it.</summary>
    void Rename(string from, string to);
    /// <summary>fsync of a directory: the creates, renames and deletes in it survive a power loss.</summary>
    void SyncDirectory(string directory);
    void CreateDirectory(string directory);
    /// <summary>Full paths of the files directly in <paramref name="directory"/> whose name ends with <paramref name="suffix"/>; none if it does not exist.</summary>
    IReadOnlyList<string> ListFiles(string directory, string suffix);
    DateTime LastWriteUtc(string path);
    void SetLastWriteUtc(string path, DateTime time);
}

/// <summary>An open file: positional reads and writes, fsync, truncate. Safe to <see cref="Sync"/> from another thread while the owner writes.</summary>
public interface IStorageFile : IDisposable
{
    long Length { get; }
    /// <summary>Reads up to <c>destination.Length</c> bytes at <paramref name="position"/>; fewer only at the end of the file.</summary>
    int Read(Span<byte> destination, long position);
    /// <summary>Writes all of <paramref name="source"/> at <paramref name="position"/>, into the page cache: not yet durable.</summary>
    void Write(ReadOnlySpan<byte> source, long position);
    /// <summary>fsync: everything written before it survives a power loss. Throws ObjectDisposedException once disposed.</summary>
    void Sync();
    void SetLength(long length);
}

/// <summary>Whole-file helpers over the seam.</summary>
public static class FileSystemExtensions
{
    public static byte[] ReadAllBytes(this IFileSystem files, string path)
    {
        using var file = files.Open(path, FileMode.Open);
        var bytes = new byte[file.Length];
        int read = 0;
        while (read < bytes.Length)
        {
            int n = file.Read(bytes.AsSpan(read), read);
            if (n == 0) break;
            read += n;
        }
        return read == bytes.Length ? bytes : bytes[..read];
    }

    /// <summary>Creates or replaces <paramref name="path"/> with <paramref name="content"/>, fsync'd unless <paramref name="sync"/> is false.</summary>
    public static void WriteAllBytes(this IFileSystem files, string path, ReadOnlySpan<byte> content, bool sync = true)
    {
        using var file = files.Open(path, FileMode.Create);
        file.Write(content, 0);
        if (sync) file.Sync();
    }
}
