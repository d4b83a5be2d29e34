using System.Net;
using Golog.Protocol;
using Golog.Storage;

namespace Golog.Broker;

/// <summary>
/// golog.ports-file (format: <see cref="PortsFileFormat"/>): where each door of a started broker listens, as {"json":{"host":"127.0.0.1","port":9092}},
/// one key per door. Scripts and tests that start the broker on port 0 read the port here instead of scraping
/// the log. Written once every door is bound, and atomically (temp file, fsync, rename), so a reader that finds
/// the file finds it whole and every door in it accepting connections.
/// </summary>
public static class PortsFile
{
    /// <summary>
    /// Deletes a previous run's file at once (a reader must not take its ports for this run's), then writes the
    /// file when all <paramref name="doors"/> are bound. Completes when written; faults with the bind or write
    /// error. Without a <paramref name="path"/> (golog.ports-file = "") it only waits for the doors.
    /// </summary>
    public static async Task WriteWhenBoundAsync(string? path, IReadOnlyDictionary<string, Task<IPEndPoint>> doors)
    {
        if (path is not null && File.Exists(path)) Explained(path, () => File.Delete(path));
        await Task.WhenAll(doors.Values);
        if (path is null) return;
        Write(path, doors.ToDictionary(d => d.Key, d => d.Value.Result));
        Serilog.Log.Information("Ports written to {PortsFile}", path);
    }

    /// <summary>Replaces <paramref name="path"/> with the doors' endpoints: temp file beside it, fsync, rename.</summary>
    public static void Write(string path, IReadOnlyDictionary<string, IPEndPoint> doors)
    {
        var json = PortsFileFormat.Serialize(doors);
        string dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        string temp = Path.Combine(dir, $".{Path.GetFileName(path)}.{Environment.ProcessId}.tmp");
        Explained(path, () =>
        {
            Directory.CreateDirectory(dir);
            StorageLayout.ReplaceAtomically(DiskFileSystem.Instance, path, temp, json);
        });
    }

    /// <summary>Runs a file operation on the ports file; its failure as an IOException naming the file and setting (fatal at start).</summary>
    private static void Explained(string path, Action operation)
    {
        try { operation(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"cannot write the ports file {path} (golog.ports-file): {e.Message}", e);
        }
    }

    /// <summary>The doors' endpoints as <see cref="Write"/> wrote them.</summary>
    public static IReadOnlyDictionary<string, IPEndPoint> Read(string path) => PortsFileFormat.Read(path);
}
