using Golog.Protocol;

namespace Golog.Consumer;

/// <summary>
/// Prints fetched records as the seed did ("offset N: MESSAGE", after a prefix), read in place from the fetch reply:
/// the only string made per record is the printed message. Writes synchronously (the records are spans over the
/// reply, which cannot be held across an await); the caller flushes.
/// </summary>
internal static class RecordLines
{
    /// <summary>What one reply gave: records in it, records printed, and the next offset to read.</summary>
    public readonly record struct Printed(int Seen, int Lines, long NextOffset);

    /// <summary>Prints the records at <paramref name="from"/> and after, at most <paramref name="limit"/> of them.</summary>
    public static Printed Print(FetchReply reply, long from, long? limit, string prefix, ConsumerOptions options, TextWriter output)
    {
        int seen = 0, lines = 0;
        long next = from;
        foreach (var record in reply.Records)
        {
            seen++;
            if (record.Offset < next) continue;
            if (lines == limit) break;
            output.Write(prefix);
            output.Write("offset ");
            output.Write(record.Offset);
            output.Write(": ");
            output.WriteLine(options.Printable(record.MessageString()));
            next = record.Offset + 1;
            lines++;
        }
        return new Printed(seen, lines, next);
    }
}
