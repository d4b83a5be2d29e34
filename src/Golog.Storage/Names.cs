namespace Golog.Storage;

/// <summary>
/// Topic and group names become file and directory names, so they are checked here, before any file is touched:
/// [A-Za-z0-9._-]{1,249}, and not "." or "..". That alphabet has no path separators, drive letters or NUL.
/// </summary>
public static class Names
{
    public const int MaxLength = 249;

    public static bool IsValid(string? name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > MaxLength || name is "." or "..") return false;
        foreach (char c in name)
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-')) return false;
        return true;
    }
}
