using System.Globalization;

namespace Golog.Consumer;

/// <summary>
/// Durations written like Go's time.ParseDuration ("500ms", "1s", "2m", "1m30s", "1.5h"), so the seed's
/// --poll-interval values keep working; a plain number means seconds.
/// </summary>
internal static class GoDuration
{
    private static readonly (string Unit, double Ms)[] Units =
    [
        // Longest first where one unit is a prefix of another ("ms" before "m").
        ("ns", 1e-6), ("us", 1e-3), ("µs", 1e-3), ("μs", 1e-3), ("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000),
    ];

    public static bool TryParse(string? text, out TimeSpan value)
    {
        value = default;
        if (string.IsNullOrWhiteSpace(text)) return false;
        var s = text.Trim().AsSpan();
        if (double.TryParse(s, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double seconds))
        {
            value = TimeSpan.FromSeconds(seconds);
            return true;
        }

        double totalMs = 0;
        while (!s.IsEmpty)
        {
            int n = 0;
            while (n < s.Length && (char.IsAsciiDigit(s[n]) || s[n] == '.')) n++;
            if (n == 0 || !double.TryParse(s[..n], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double number))
                return false;
            s = s[n..];
            bool matched = false;
            foreach (var (unit, ms) in Units)
            {
                if (!s.StartsWith(unit, StringComparison.Ordinal)) continue;
                totalMs += number * ms;
                s = s[unit.Length..];
                matched = true;
                break;
            }
            if (!matched) return false;
        }
        if (totalMs > TimeSpan.MaxValue.TotalMilliseconds) return false;
        value = TimeSpan.FromMilliseconds(totalMs);
        return true;
    }
}
