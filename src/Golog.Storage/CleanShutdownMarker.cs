namespace Golog.Storage;

/// <summary>
/// The clean-shutdown marker (<see cref="StorageLayout.CleanShutdownFile"/> under the storage root): written, durably,
/// only after every partition and group closed cleanly, and removed, durably, at start, so that a crash at any later
/// point leads to recovery scans and never to trusting a tail that was not closed. Partitions open lazily, so a run
/// that started after a crash can stop cleanly with partitions it never opened, whose tails were never recovered: the
/// marker names them (one partition directory name a line, after the time stamp), and they recover when next opened.
/// </summary>
public static class CleanShutdownMarker
{
    /// <summary>What the last shutdown left; the marker is gone (and its removal durable) on return.</summary>
    public static PreviousShutdown Consume(IFileSystem files, string root)
    {
        var marker = Path.Combine(root, StorageLayout.CleanShutdownFile);
        if (!files.FileExists(marker)) return PreviousShutdown.Unclean;
        var lines = System.Text.Encoding.UTF8.GetString(files.ReadAllBytes(marker)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        files.Delete(marker);
        files.SyncDirectory(root);
        return new PreviousShutdown(true, lines.Skip(1).ToHashSet(StringComparer.Ordinal));
    }

    /// <summary>Writes the marker; <paramref name="unrecovered"/> are the partition directories (names under the root) still to recover.</summary>
    public static void Write(IFileSystem files, string root, IEnumerable<string>? unrecovered = null)
    {
        var text = string.Join('\n', [DateTimeOffset.UtcNow.ToString("O"), .. unrecovered ?? []]) + "\n";
        files.WriteAllBytes(Path.Combine(root, StorageLayout.CleanShutdownFile), System.Text.Encoding.UTF8.GetBytes(text));
        files.SyncDirectory(root);
    }
}

/// <summary>How the last run ended: clean or not, and which partitions a clean stop left unrecovered all the same.</summary>
public sealed record PreviousShutdown(bool Clean, IReadOnlySet<string> Unrecovered)
{
    public static readonly PreviousShutdown Unclean = new(false, new HashSet<string>());

    /// <summary>Whether the partition in directory <paramref name="partitionDirectory"/> (a name under the root) was closed cleanly.</summary>
    public bool IsClean(string partitionDirectory) => Clean && !Unrecovered.Contains(partitionDirectory);
}
