namespace Golog.Storage;

/// <summary>
/// Topic and group names become file and directory names, so they are checked here, before any file is touched:
/// [A-Za-z0-9._-]{1,249}, not "." or "..", and not a Windows device name (CON, PRN, AUX, NUL, COM0-9, LPT0-9, with
/// or without an extension: "nul.offsets" would be the device, not a file). That alphabet has no path separators,
/// drive letters, control characters or NUL.
/// </summary>
public static class Names
{
    public const int MaxLength = 249;

    private static readonly HashSet<string> DeviceNames = new(
        ["CON", "PRN", "AUX", "NUL", .. Enumerable.Range(0, 10).SelectMany(i => new[] { $"COM{i}", $"LPT{i}" })],
        StringComparer.OrdinalIgnoreCase);

    /// <summary>Why <paramref name="name"/> was refused, in one sentence: "invalid topic name "x": use ...".</summary>
    public static string Explain(string kind, string name) =>
        $"invalid {kind} name \"{Printable(name.Length > 64 ? name[..64] + "..." : name)}\": use 1-{MaxLength} of [A-Za-z0-9._-], " +
        "not \".\" or \"..\" or a device name (CON, NUL, COM1...)";

    public static bool IsValid(string? name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > MaxLength || name is "." or "..") return false;
        foreach (char c in name)
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-')) return false;
        int dot = name.IndexOf('.');
        return !DeviceNames.Contains(dot < 0 ? name : name[..dot]);
    }

    // The refused name is echoed in the error; control characters (a NUL, a line feed) would garble the reply line.
    private static string Printable(string name) => string.Concat(name.Select(c => char.IsControl(c) ? '?' : c));
}
