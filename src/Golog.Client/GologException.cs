using Golog.Protocol;

namespace Golog.Client;

/// <summary>The broker answered a request with "ok": false. <see cref="Error"/> is the error object of the reply.</summary>
public sealed class GologException(ProtocolError error) : Exception(error.Message)
{
    /// <summary>Code used when the broker's reply line could not be understood at all (not part of the wire protocol).</summary>
    public const string UnexpectedReplyCode = "unexpected_reply";

    public ProtocolError Error { get; } = error;

    /// <summary>One of <see cref="ErrorCode"/>, or <see cref="UnexpectedReplyCode"/>.</summary>
    public string Code => Error.Code;
    public long? LogStartOffset => Error.LogStartOffset;
    public long? HighWatermark => Error.HighWatermark;

    public override string ToString() => $"{Code}: {Message}";
}
