using System.Diagnostics;

namespace Golog.EndToEnd.Tests;

/// <summary>
/// A small tmpfs mounted for one test, to run out of disk space for real. Needs root (CI runs as root); elsewhere
/// <see cref="TryMount"/> says why it could not, and the test skips with that reason.
/// </summary>
public sealed class TmpfsMount : IDisposable
{
    private TmpfsMount(string path) => Path = path;

    public string Path { get; }

    public static TmpfsMount? TryMount(string size, out string whyNot)
    {
        whyNot = "";
        if (!OperatingSystem.IsLinux()) { whyNot = "a tmpfs mount needs Linux"; return null; }
        if (Environment.UserName != "root") { whyNot = $"mounting a tmpfs needs root; running as {Environment.UserName}"; return null; }
        string path = Directory.CreateTempSubdirectory("golog-tmpfs-").FullName;
        var (exitCode, output) = Run("mount", "-t", "tmpfs", "-o", $"size={size}", "tmpfs", path);
        if (exitCode == 0) return new TmpfsMount(path);
        Directory.Delete(path);
        whyNot = $"mount -t tmpfs failed ({exitCode}): {output.Trim()}";
        return null;
    }

    /// <summary>Writes a file of zeros until the file system is full; returns its path (delete it to free the space).</summary>
    public string FillUp()
    {
        string filler = System.IO.Path.Combine(Path, "filler");
        using var handle = File.OpenHandle(filler, FileMode.CreateNew, FileAccess.Write);
        var chunk = new byte[64 * 1024];
        long position = 0;
        for (int i = 0; i < 10_000; i++) // bounded: far more than any small tmpfs holds
        {
            try { RandomAccess.Write(handle, chunk, position); }
            catch (IOException) { return filler; } // ENOSPC: full
            position += chunk.Length;
        }
        throw new InvalidOperationException($"{Path} did not fill up after {position} bytes");
    }

    public void Dispose()
    {
        // lazy unmount: a handle a failed test left open must not leave the mount behind
        Run("umount", "-l", Path);
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }

    private static (int ExitCode, string Output) Run(string command, params string[] args)
    {
        var psi = new ProcessStartInfo(command) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var process = Process.Start(psi)!;
        string output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        if (!process.WaitForExit(30_000)) process.Kill();
        return (process.HasExited ? process.ExitCode : -1, output);
    }
}
