namespace Golog.Storage;

/// <summary>
/// Topic and group names become file and directory names, so they are checked here, before any file is touched:
/// [A-Za-z0-9._-]{1,249}, and not "." or "..". That alphabet has no path separators, drive letters or NUL.
/// </summary>
public static class Names
{
    public const int MaxLength = 249;

    /// <summary>Why <paramref name="name"/> was refused, in one sentence: "invalid topic name "x": use ...".</summary>
    public static string Explain(string kind, string name) =>
        $"invalid {kind} name \"{(name.Length > 64 ? name[..64] + "..." : name)}\": use 1-{MaxLength} of [A-Za-z0-9._-], not \".\" or \"..\"";

    public static bool IsValid(string? name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > MaxLength || name is "." or "..") return false;
        foreach (char c in name)
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-')) return false;
        return true;
    }
}
