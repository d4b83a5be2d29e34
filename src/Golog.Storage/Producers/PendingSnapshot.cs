namespace Golog.Storage;

/// <summary>A producer snapshot taken at a roll, written by the rolled segment's seal once that segment is durable.</summary>
internal sealed record PendingSnapshot(IFileSystem Files, string Directory, long Offset, byte[] Bytes)
{
    public void Write() => ProducerSnapshot.Write(Files, Directory, Offset, Bytes);
}
