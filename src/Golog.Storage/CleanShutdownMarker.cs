namespace Golog.Storage;

/// <summary>
/// The clean-shutdown marker (<see cref="StorageLayout.CleanShutdownFile"/> under the storage root): written, durably,
/// only after every partition and group closed cleanly, and removed, durably, at start, so that a crash at any later
/// point leads to recovery scans and never to trusting a tail that was not closed.
/// </summary>
public static class CleanShutdownMarker
{
    /// <summary>Whether the last shutdown was clean; the marker is gone (and its removal durable) on return.</summary>
    public static bool Consume(IFileSystem files, string root)
    {
        var marker = Path.Combine(root, StorageLayout.CleanShutdownFile);
        if (!files.FileExists(marker)) return false;
        files.Delete(marker);
        files.SyncDirectory(root);
        return true;
    }

    public static void Write(IFileSystem files, string root)
    {
        files.WriteAllBytes(Path.Combine(root, StorageLayout.CleanShutdownFile), System.Text.Encoding.UTF8.GetBytes(DateTimeOffset.UtcNow.ToString("O")));
        files.SyncDirectory(root);
    }
}
