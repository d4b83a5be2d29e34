namespace Golog.Storage;

/// <summary>
/// Bytes read from one segment by <see cref="PartitionLog.Read"/>: whole batches, every one of which passed its
/// CRC-32C check in this read (a damaged batch is never handed out), possibly followed by one last batch cut short
/// by the byte limit, which is neither whole nor checked. A consumer of the bytes, such as the wire layer, need not
/// check the whole batches' CRCs again; it must skip (or let the client skip) the cut one.
/// </summary>
public readonly record struct ReadResult(byte[] Buffer, int Length)
{
    public static readonly ReadResult Empty = new([], 0);
    public ReadOnlySpan<byte> Bytes => Buffer.AsSpan(0, Length);
}
