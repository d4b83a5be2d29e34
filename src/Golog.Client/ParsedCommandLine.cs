namespace Golog.Client;

/// <summary>
/// What a console's command line asked for: to run with <see cref="Options"/>, to see the usage
/// (<see cref="HelpRequested"/>), or nothing sensible (<see cref="Error"/> says what is wrong).
/// </summary>
public sealed record ParsedCommandLine<T> where T : class
{
    private ParsedCommandLine(T? options, string? error)
    {
        Options = options;
        Error = error;
    }

    public T? Options { get; }
    public string? Error { get; }
    public bool HelpRequested => Options is null && Error is null;

    public static ParsedCommandLine<T> Run(T options) => new(options, null);
    public static ParsedCommandLine<T> Help { get; } = new(null, null);
    public static ParsedCommandLine<T> Invalid(string error) => new(null, error);
}
