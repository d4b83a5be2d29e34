using System.Globalization;
using System.Text;

namespace Golog.Storage;

/// <summary>
/// Hands out Kafka producer ids that are never handed out twice, across restarts and crashes: ids are reserved in
/// blocks, and a block's end is made durable (<see cref="StorageLayout.ProducerIdsFile"/>, replaced atomically)
/// before any id of it is given, so a restart continues after the last reserved block (skipping what was left of it).
/// Not thread-safe: one owner serialises.
/// </summary>
public sealed class ProducerIdStore
{
    public const int BlockSize = 1000;

    private readonly IFileSystem _files;
    private readonly string _path;
    private long _next;
    private long _reservedUntil;

    private ProducerIdStore(IFileSystem files, string path, long reservedUntil)
    {
        _files = files;
        _path = path;
        _next = _reservedUntil = reservedUntil;
    }

    /// <summary>Opens the store under <paramref name="root"/>; throws IOException naming the file if it is damaged.</summary>
    public static ProducerIdStore Open(IFileSystem files, string root)
    {
        var path = Path.Combine(root, StorageLayout.ProducerIdsFile);
        if (!files.FileExists(path)) return new ProducerIdStore(files, path, 0);
        var text = Encoding.ASCII.GetString(files.ReadAllBytes(path)).Trim();
        if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long reserved))
            throw new IOException($"{path} should hold the next free producer id, but holds \"{text}\"; remove it only if no Kafka producer of this broker's will ever reconnect");
        return new ProducerIdStore(files, path, reserved);
    }

    /// <summary>A producer id never given before; reserves (durably) the next block when this one is used up.</summary>
    public long Allocate()
    {
        if (_next == _reservedUntil)
        {
            long until = _next + BlockSize;
            StorageLayout.ReplaceAtomically(_files, _path, _path + ".tmp", Encoding.ASCII.GetBytes(until.ToString(CultureInfo.InvariantCulture)));
            _reservedUntil = until;
        }
        return _next++;
    }
}
