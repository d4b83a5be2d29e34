using System.Globalization;

namespace Golog.Storage;

/// <summary>A leader epoch and the first offset written in it.</summary>
public readonly record struct EpochEntry(int Epoch, long StartOffset);

/// <summary>
/// Kafka's leader-epoch-checkpoint of one partition: for each leader epoch, the offset its first batch got, in
/// Kafka's text format ("0", the entry count, then one "epoch startOffset" line each). Every change rewrites the
/// file atomically: temp file, fsync, rename over, directory fsync, so a crash leaves the old or the new file whole,
/// and a torn temp file is simply removed at load. Epochs change rarely (on leader change), so the owner's thread
/// pays those fsyncs. Not thread-safe; the owning partition serialises.
/// </summary>
public sealed class LeaderEpochCache
{
    public const string FileName = "leader-epoch-checkpoint";
    private const int FormatVersion = 0;
    private readonly IFileSystem _files;
    private readonly string _path;
    private readonly List<EpochEntry> _entries;

    private LeaderEpochCache(IFileSystem files, string path, List<EpochEntry> entries)
    {
        _files = files;
        _path = path;
        _entries = entries;
    }

    public IReadOnlyList<EpochEntry> Entries => _entries;

    /// <summary>Loads the checkpoint in <paramref name="directory"/> (empty if there is none); a damaged one is refused.</summary>
    public static LeaderEpochCache Load(IFileSystem files, string directory)
    {
        var path = Path.Combine(directory, FileName);
        files.Delete(TempPath(path)); // a rewrite cut short; the checkpoint itself is still whole
        return new LeaderEpochCache(files, path, files.FileExists(path) ? Parse(path, ReadLines(files, path)) : []);
    }

    /// <summary>
    /// Records that <paramref name="epoch"/> starts at <paramref name="startOffset"/>, if it is newer than every
    /// epoch known. A batch of an older or the same epoch changes nothing (Kafka ignores them too).
    /// </summary>
    public void Assign(int epoch, long startOffset)
    {
        if (_entries.Count > 0 && epoch <= _entries[^1].Epoch) return;
        _entries.Add(new EpochEntry(epoch, startOffset));
        try { Write(); }
        catch (IOException)
        {
            _entries.RemoveAt(_entries.Count - 1); // not on disk, so not known: the next batch of this epoch tries again
            throw;
        }
    }

    /// <summary>After the log was cut at <paramref name="endOffset"/>: forgets the epochs that started at or after it.</summary>
    public void TruncateFromEnd(long endOffset)
    {
        int removed = _entries.RemoveAll(e => e.StartOffset >= endOffset);
        if (removed > 0) Write();
    }

    private void Write()
    {
        var text = new System.Text.StringBuilder($"{FormatVersion}\n{_entries.Count}\n");
        foreach (var e in _entries) text.Append(CultureInfo.InvariantCulture, $"{e.Epoch} {e.StartOffset}\n");
        StorageLayout.ReplaceAtomically(_files, _path, TempPath(_path), System.Text.Encoding.UTF8.GetBytes(text.ToString()));
    }

    // File.ReadAllLines' rule: a last line without its newline still counts, a final newline adds no empty line
    private static string[] ReadLines(IFileSystem files, string path)
    {
        var text = System.Text.Encoding.UTF8.GetString(files.ReadAllBytes(path));
        if (text.Length == 0) return [];
        return (text.EndsWith('\n') ? text[..^1] : text).Split('\n');
    }

    private static List<EpochEntry> Parse(string path, string[] lines)
    {
        if (lines.Length < 2 || lines[0] != FormatVersion.ToString(CultureInfo.InvariantCulture)
            || !int.TryParse(lines[1], NumberStyles.None, CultureInfo.InvariantCulture, out int count) || lines.Length != count + 2)
            throw Damaged(path, "its version or entry count is wrong");
        var entries = new List<EpochEntry>(count);
        foreach (var line in lines.AsSpan(2))
        {
            var parts = line.Split(' ');
            if (parts.Length != 2
                || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int epoch)
                || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out long start)
                || (entries.Count > 0 && (epoch <= entries[^1].Epoch || start < entries[^1].StartOffset)))
                throw Damaged(path, $"line \"{line}\" is not a newer \"epoch startOffset\" pair");
            entries.Add(new EpochEntry(epoch, start));
        }
        return entries;
    }

    private static CorruptLogException Damaged(string path, string why) =>
        new($"leader epoch checkpoint {path} is damaged: {why}");

    private static string TempPath(string path) => path + ".tmp";
}
