namespace Golog.Cli;

/// <summary>What every Golog console's exit status means, so scripts can tell a mistake from an outage.</summary>
public static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>A bad command line, a configuration refused, or a request the broker refused.</summary>
    public const int UsageOrRefused = 1;

    /// <summary>The broker could not be reached, or went away and did not come back in time.</summary>
    public const int BrokerUnavailable = 2;
}
