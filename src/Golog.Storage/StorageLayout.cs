namespace Golog.Storage;

/// <summary>
/// Where things live under the storage root. Kafka's layout: one directory per partition, "{topic}-{partition}",
/// parsed from the last '-' (partition is numeric, topics may contain '-'); segment files named by their
/// zero-padded base offset. Group offsets live apart, in "__consumer_offsets/{group}.offsets".
/// </summary>
public static class StorageLayout
{
    public const string LogSuffix = ".log";
    public const string IndexSuffix = ".index";
    public const string SnapshotSuffix = ".snapshot";
    public const string OffsetsDirectory = "__consumer_offsets";
    public const string CleanShutdownFile = ".clean-shutdown";
    /// <summary>Under the storage root: the first Kafka producer id not yet handed out in any run (<see cref="ProducerIdStore"/>).</summary>
    public const string ProducerIdsFile = "producer-ids";

    public static string PartitionDirectory(string root, string topic, int partition) =>
        Path.Combine(root, PartitionDirectoryName(topic, partition));

    /// <summary>The name of a partition's directory under the storage root.</summary>
    public static string PartitionDirectoryName(string topic, int partition) => $"{topic}-{partition}";

    public static string SegmentFileName(long baseOffset) => baseOffset.ToString("D20");

    public static string GroupOffsetsFile(string root, string group) =>
        Path.Combine(root, OffsetsDirectory, group + ".offsets");

    /// <summary>Every (topic, partition) directory under root. Anything else is ignored.</summary>
    public static IEnumerable<(string Topic, int Partition)> FindPartitions(string root)
    {
        if (!Directory.Exists(root)) yield break;
        foreach (var dir in Directory.EnumerateDirectories(root))
        {
            var name = Path.GetFileName(dir);
            int dash = name.LastIndexOf('-');
            if (dash <= 0) continue;
            var topic = name[..dash];
            if (Names.IsValid(topic) && int.TryParse(name.AsSpan(dash + 1), System.Globalization.NumberStyles.None, null, out int p))
                yield return (topic, p);
        }
    }

    /// <summary>What a partition directory is renamed to before its files are removed (not a partition name: no trailing number).</summary>
    public const string DeletedSuffix = "-delete";

    /// <summary>
    /// Removes a deleted topic's partition directories. Each is first renamed out of the partition namespace and the
    /// renames made durable (one directory fsync) before anything is removed, so once this returns no crash brings the
    /// topic back; then the files go. A start finds leftovers of an interrupted removal with <see cref="RemoveDeletedLeftovers"/>.
    /// </summary>
    public static void DeletePartitionDirectories(string root, string topic, int partitions, IFileSystem? files = null)
    {
        var renamed = new List<string>();
        for (int p = 0; p < partitions; p++)
        {
            var dir = PartitionDirectory(root, topic, p);
            if (!Directory.Exists(dir)) continue;
            var target = $"{dir}.{Guid.NewGuid():N}{DeletedSuffix}"; // unique: the same name may be deleted again before this one is gone
            Directory.Move(dir, target);
            renamed.Add(target);
        }
        (files ?? DiskFileSystem.Instance).SyncDirectory(root);
        foreach (var dir in renamed) Directory.Delete(dir, recursive: true);
    }

    /// <summary>Finishes removals a crash interrupted (directories renamed by <see cref="DeletePartitionDirectories"/>); returns how many.</summary>
    public static int RemoveDeletedLeftovers(string root)
    {
        if (!Directory.Exists(root)) return 0;
        var leftovers = Directory.GetDirectories(root, "*" + DeletedSuffix);
        foreach (var dir in leftovers) Directory.Delete(dir, recursive: true);
        return leftovers.Length;
    }

    /// <summary>Every group with a committed-offsets file under root.</summary>
    public static IEnumerable<string> FindGroups(string root)
    {
        var dir = Path.Combine(root, OffsetsDirectory);
        if (!Directory.Exists(dir)) yield break;
        foreach (var file in Directory.EnumerateFiles(dir, "*.offsets"))
        {
            var group = Path.GetFileNameWithoutExtension(file);
            if (Names.IsValid(group)) yield return group;
        }
    }

    /// <summary>Base offsets of the segments in a partition directory, in numeric order.</summary>
    public static List<long> FindSegments(IFileSystem files, string partitionDir)
    {
        var bases = new List<long>();
        foreach (var file in files.ListFiles(partitionDir, LogSuffix))
            if (long.TryParse(Path.GetFileNameWithoutExtension(file), System.Globalization.NumberStyles.None, null, out long b))
                bases.Add(b);
        bases.Sort();
        return bases;
    }

    /// <summary>
    /// Replaces <paramref name="path"/> so that a crash leaves either the old file or the whole new one: the content
    /// goes to <paramref name="tempPath"/> (same directory), is fsync'd, renamed over the file, and the rename made
    /// durable by a directory fsync. <paramref name="beforeRename"/> runs once the new content is durable (to close
    /// a handle on the old file, which Windows would not rename over).
    /// </summary>
    public static void ReplaceAtomically(IFileSystem files, string path, string tempPath, ReadOnlySpan<byte> content, Action? beforeRename = null)
    {
        files.WriteAllBytes(tempPath, content);
        beforeRename?.Invoke();
        files.Rename(tempPath, path);
        files.SyncDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
    }
}
