using System.Globalization;

namespace Golog.Client;

/// <summary>Where a broker listens, written "host:port" on command lines ("[::1]:9092" for IPv6 literals).</summary>
public readonly record struct BrokerAddress(string Host, int Port)
{
    public const string DefaultHost = "localhost";
    public const int DefaultPort = 9092;

    /// <summary>localhost:9092, the seed broker's address.</summary>
    public static BrokerAddress Default => new(DefaultHost, DefaultPort);

    /// <summary>
    /// Parses "host:port", "host" (port 9092), ":port" (localhost) or "[v6]:port". Null or blank gives
    /// <see cref="Default"/>. Throws <see cref="FormatException"/> with a message fit for a command line.
    /// </summary>
    public static BrokerAddress Parse(string? text)
    {
        if (TryParse(text, out var address, out var problem)) return address;
        throw new FormatException(problem);
    }

    public static bool TryParse(string? text, out BrokerAddress address) => TryParse(text, out address, out _);

    private static bool TryParse(string? text, out BrokerAddress address, out string problem)
    {
        address = Default;
        problem = "";
        if (string.IsNullOrWhiteSpace(text)) return true;
        text = text.Trim();

        string host;
        string? portText;
        if (text.StartsWith('['))
        {
            int close = text.IndexOf(']');
            if (close < 0) { problem = $"invalid broker address \"{text}\": missing ']'"; return false; }
            host = text[1..close];
            string rest = text[(close + 1)..];
            if (rest.Length == 0) portText = null;
            else if (rest[0] == ':') portText = rest[1..];
            else { problem = $"invalid broker address \"{text}\": expected ':' after ']'"; return false; }
        }
        else
        {
            int colon = text.LastIndexOf(':');
            // More than one colon without brackets is a bare IPv6 literal, not host:port.
            if (colon >= 0 && text.IndexOf(':') == colon) { host = text[..colon]; portText = text[(colon + 1)..]; }
            else { host = text; portText = null; }
        }

        if (host.Length == 0) host = DefaultHost;
        int port = DefaultPort;
        if (portText is not null &&
            (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535))
        {
            problem = $"invalid broker address \"{text}\": port must be a number from 1 to 65535";
            return false;
        }
        address = new BrokerAddress(host, port);
        return true;
    }

    public override string ToString() =>
        Host.Contains(':') ? $"[{Host}]:{Port.ToString(CultureInfo.InvariantCulture)}" : $"{Host}:{Port.ToString(CultureInfo.InvariantCulture)}";
}
