using System.Globalization;
using System.Text;

namespace Golog.Perf;

/// <summary>
/// Payloads that check themselves, so a fast wrong answer never counts: "W{writer:D5}S{seq:D12}:" then letters
/// derived from the sequence number. A consumer can tell which writer sent a message, its global sequence number
/// (each one is produced exactly once), and whether any byte was changed.
/// </summary>
public static class Payload
{
    public const int HeaderLength = 20;

    public static void Write(Span<byte> dest, int writer, long seq)
    {
        dest[0] = (byte)'W';
        writer.TryFormat(dest[1..6], out _, "D5", CultureInfo.InvariantCulture);
        dest[6] = (byte)'S';
        seq.TryFormat(dest[7..19], out _, "D12", CultureInfo.InvariantCulture);
        dest[19] = (byte)':';
        Filler(seq, dest.Length - HeaderLength).CopyTo(dest[HeaderLength..]);
    }

    /// <summary>Reads back what <see cref="Write"/> wrote; null when the UTF-8 text is not such a payload of <paramref name="size"/> bytes.</summary>
    public static string? Check(ReadOnlySpan<byte> text, int size, out int writer, out long seq)
    {
        writer = 0;
        seq = 0;
        if (text.Length != size) return $"payload is {text.Length} bytes, expected {size}";
        if (text[0] != 'W' || text[6] != 'S' || text[19] != ':'
            || !int.TryParse(text[1..6], NumberStyles.None, CultureInfo.InvariantCulture, out writer)
            || !long.TryParse(text[7..19], NumberStyles.None, CultureInfo.InvariantCulture, out seq))
            return $"payload does not start with a golog-perf header: \"{Preview(text)}\"";
        var filler = text[HeaderLength..];
        var expected = Filler(seq, filler.Length);
        if (!filler.SequenceEqual(expected)) return $"payload of message {seq} is damaged at byte {HeaderLength + filler.CommonPrefixLength(expected)}";
        return null;
    }

    // The filler cycles through the alphabet: every filler is a slice of one long enough "abc...zabc..." (vectorised
    // copies and compares instead of a loop per byte). Grown, never shrunk, for the largest size asked for.
    private static byte[] _alphabets = [];

    private static ReadOnlySpan<byte> Filler(long seq, int length)
    {
        var alphabets = _alphabets;
        if (alphabets.Length < length + 26)
        {
            alphabets = new byte[length + 26];
            for (int i = 0; i < alphabets.Length; i++) alphabets[i] = (byte)('a' + i % 26);
            _alphabets = alphabets;
        }
        return alphabets.AsSpan(FirstFiller(seq), length);
    }

    /// <summary>Filler byte j is 'a' + (seq * 7 + j) mod 26: this is its value at the first filler byte.</summary>
    private static int FirstFiller(long seq) => (int)((seq % 26 * 7 + HeaderLength) % 26);

    private static string Preview(ReadOnlySpan<byte> text) => text.Length <= 40 ? Encoding.UTF8.GetString(text) : Encoding.UTF8.GetString(text[..40]) + "...";
}
