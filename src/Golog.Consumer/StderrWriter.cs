namespace Golog.Consumer;

/// <summary>
/// Warnings and errors of the consume loops. Stdout is buffered and flushed per batch, so it is flushed before each
/// stderr line: read together, the two streams keep the order things happened in.
/// </summary>
internal sealed class StderrWriter(TextWriter output, TextWriter errors)
{
    public async Task WriteLineAsync(string line)
    {
        await output.FlushAsync();
        await errors.WriteLineAsync(line);
    }
}
