using Golog.Core;

namespace Golog.Broker.Doors;

/// <summary>
/// What a door knows: how its wire turns into core commands and core results back into its wire. One codec per
/// connection (it may keep framing state between calls); the shared <see cref="ConnectionActor{TContext}"/> does the
/// rest. <typeparamref name="TContext"/> is what the codec must remember about a request to answer it (a JSON id, a
/// Kafka correlation id and API version).
/// </summary>
public interface IWireCodec<TContext>
{
    /// <summary>
    /// Decodes the request at the start of <paramref name="input"/> (the bytes received and not yet consumed) and
    /// returns how many bytes it took; 0 while the input holds no whole request yet.
    /// </summary>
    int Decode(ReadOnlySpan<byte> input, out DecodedRequest<TContext> request);

    /// <summary>The reply to one request on this door's wire; valid until the next call.</summary>
    ReadOnlySpan<byte> Encode(in TContext context, ICoreResult result);

    /// <summary>What a client accepted past golog.connections.max is told before its socket is closed.</summary>
    ReadOnlySpan<byte> EncodeRefusal(BrokerError error);
}

/// <summary>
/// One decoded request: a command for the core, several (<see cref="Parts"/>, a Kafka request naming many partitions),
/// an <see cref="Answer"/> the door gives itself, or an <see cref="Error"/> to answer at once (a malformed request).
/// Parts are sent together and answered as one <see cref="PartResults"/>, their results in the order of the parts.
/// <see cref="ReplyBytes"/> is what its reply may grow to (a fetch's max bytes), held against the connection's budget;
/// <see cref="Close"/> says the stream cannot be framed past it, so the connection closes once the answer is sent.
/// </summary>
public readonly record struct DecodedRequest<TContext>(TContext Context, ICoreCommand? Command, BrokerError? Error = null,
    int ReplyBytes = 0, bool Close = false)
{
    public IReadOnlyList<ICoreCommand>? Parts { get; init; }
    public ICoreResult? Answer { get; init; }
}

/// <summary>The results of a request's <see cref="DecodedRequest{TContext}.Parts"/>, in the order of the parts.</summary>
public sealed record PartResults(IReadOnlyList<ICoreResult> Results) : ICoreResult;

/// <summary>A request the door answers without the core (Kafka's ApiVersions): its context says everything.</summary>
public sealed record AnsweredByDoor : ICoreResult
{
    public static readonly AnsweredByDoor Instance = new();
}
