namespace Golog.EndToEnd.Tests;

/// <summary>A storage directory of a test's own, removed afterwards; never the repository's storage/.</summary>
public sealed class TempStorage : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("golog-e2e-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
