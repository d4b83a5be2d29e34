namespace Golog.EndToEnd.Tests.Hostile;

/// <summary>
/// The floods saturate both cores; run alone, they leave the other end-to-end tests' timeouts (connection limits,
/// idle closes) out of their way instead of starving them.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class FloodCollection
{
    public const string Name = "Floods run alone";
}
