using System.Globalization;

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
        int letter = FirstFiller(seq);
        for (int j = HeaderLength; j < dest.Length; j++)
        {
            dest[j] = (byte)('a' + letter);
            if (++letter == 26) letter = 0;
        }
    }

    /// <summary>Reads back what <see cref="Write"/> wrote; null when the text is not such a payload of <paramref name="size"/> bytes.</summary>
    public static string? Check(string text, int size, out int writer, out long seq)
    {
        writer = 0;
        seq = 0;
        if (text.Length != size) return $"payload is {text.Length} bytes, expected {size}";
        var span = text.AsSpan();
        if (span[0] != 'W' || span[6] != 'S' || span[19] != ':'
            || !int.TryParse(span[1..6], NumberStyles.None, CultureInfo.InvariantCulture, out writer)
            || !long.TryParse(span[7..19], NumberStyles.None, CultureInfo.InvariantCulture, out seq))
            return $"payload does not start with a golog-perf header: \"{Preview(text)}\"";
        int letter = FirstFiller(seq);
        for (int j = HeaderLength; j < span.Length; j++)
        {
            if (span[j] != 'a' + letter) return $"payload of message {seq} is damaged at byte {j}";
            if (++letter == 26) letter = 0;
        }
        return null;
    }

    /// <summary>Filler byte j is 'a' + (seq * 7 + j) mod 26: this is its value at the first filler byte.</summary>
    private static int FirstFiller(long seq) => (int)((seq % 26 * 7 + HeaderLength) % 26);

    private static string Preview(string text) => text.Length <= 40 ? text : text[..40] + "...";
}
