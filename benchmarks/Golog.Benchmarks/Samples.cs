using System.Text;
using Golog.Storage;

namespace Golog.Benchmarks;

/// <summary>The benchmarks' common inputs: 100-byte messages, as in the workloads.</summary>
internal static class Samples
{
    public const int MessageSize = 100;

    public static ReadOnlyMemory<byte>[] Messages(int count) =>
        [.. Enumerable.Range(0, count).Select(i => new ReadOnlyMemory<byte>(Encoding.ASCII.GetBytes(i.ToString("D8").PadRight(MessageSize, 'x'))))];

    public static RecordsToAppend Records(int count) => new(Messages(count));

    public static string TempDirectory()
    {
        var dir = Path.Combine(Path.GetTempPath(), "golog-bench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }
}
