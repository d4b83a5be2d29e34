namespace Golog.Protocol;

/// <summary>A produce's "acks": when the broker answers (docs/protocol.md, "acks").</summary>
public enum AckLevel
{
    /// <summary>"all" (the default): every in-sync replica has the batch durable.</summary>
    All,
    /// <summary>1: the leader has it durable.</summary>
    Leader,
    /// <summary>0: the client does not need the guarantee; the JSON door still answers, at the leader's point.</summary>
    None,
}

/// <summary>
/// An idempotent producer's fields on a produce: its id (from init_producer_id), epoch, and the sequence number of
/// the batch's first message. The next batch's sequence is this one's plus its message count.
/// </summary>
public readonly record struct ProducerSequence(long ProducerId, short Epoch, int FirstSequence);
