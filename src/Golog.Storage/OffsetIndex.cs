using System.Buffers.Binary;

namespace Golog.Storage;

/// <summary>
/// Sparse offset index of one segment: entries of (offset relative to the segment base, byte position), 8 bytes
/// each, big-endian, one per IndexIntervalBytes of log. Held in memory; the .index file is a cache of it that is
/// never trusted over the log (rebuilt when missing or inconsistent). Not thread-safe; the owner serialises.
/// </summary>
public sealed class OffsetIndex
{
    private int[] _relOffsets;
    private int[] _positions;
    private int _count;

    public OffsetIndex(int capacity = 16)
    {
        _relOffsets = new int[Math.Max(capacity, 4)];
        _positions = new int[_relOffsets.Length];
    }

    public int Count => _count;
    public int LastPosition => _count == 0 ? 0 : _positions[_count - 1];

    public void Add(int relativeOffset, int position)
    {
        if (_count == _relOffsets.Length)
        {
            Array.Resize(ref _relOffsets, _count * 2);
            Array.Resize(ref _positions, _count * 2);
        }
        _relOffsets[_count] = relativeOffset;
        _positions[_count] = position;
        _count++;
    }

    /// <summary>Byte position of the last indexed batch starting at or before <paramref name="relativeOffset"/> (0 if none).</summary>
    public int Lookup(int relativeOffset)
    {
        int lo = 0, hi = _count - 1, found = -1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            if (_relOffsets[mid] <= relativeOffset) { found = mid; lo = mid + 1; }
            else hi = mid - 1;
        }
        return found < 0 ? 0 : _positions[found];
    }

    public void TruncateAfterPosition(long position)
    {
        while (_count > 0 && _positions[_count - 1] >= position) _count--;
    }

    public byte[] Serialize()
    {
        var bytes = new byte[_count * 8];
        for (int i = 0; i < _count; i++)
        {
            BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(i * 8), _relOffsets[i]);
            BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(i * 8 + 4), _positions[i]);
        }
        return bytes;
    }

    /// <summary>Parses an index file; null if it is not a plausible index for a log of <paramref name="logSize"/> bytes.</summary>
    public static OffsetIndex? TryParse(ReadOnlySpan<byte> bytes, long logSize)
    {
        // a non-empty log's index has an entry for its first batch: an empty file is one whose content a crash lost
        if (bytes.Length % 8 != 0 || (bytes.Length == 0 && logSize > 0)) return null;
        var index = new OffsetIndex(bytes.Length / 8);
        for (int i = 0; i < bytes.Length; i += 8)
        {
            int rel = BinaryPrimitives.ReadInt32BigEndian(bytes[i..]);
            int pos = BinaryPrimitives.ReadInt32BigEndian(bytes[(i + 4)..]);
            bool ordered = index._count == 0
                ? rel >= 0 && pos >= 0
                : rel > index._relOffsets[index._count - 1] && pos > index._positions[index._count - 1];
            if (!ordered || pos >= logSize) return null;
            index.Add(rel, pos);
        }
        return index;
    }
}
