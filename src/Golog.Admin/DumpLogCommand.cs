using System.CommandLine;
using System.Text;
using System.Text.Json;
using Golog.Cli;
using Golog.Storage;

namespace Golog.Admin;

/// <summary>
/// `golog dump-log FILE [--verify-crc] [--print-data]`: walks a segment's batches as kafka-dump-log does, with
/// Golog.Storage's own batch reader, without a broker. Exit 1 when --verify-crc finds a damaged batch, or the file
/// ends in a torn or unreadable batch.
/// </summary>
internal static class DumpLogCommand
{
    public static Command Create()
    {
        var file = new Argument<FileInfo>("FILE") { Description = "a segment file, e.g. storage/orders-0/00000000000000000000.log" };
        var verifyCrc = new Option<bool>("--verify-crc") { Description = "check every batch's CRC-32C (exit 1 if one does not match)" };
        var printData = new Option<bool>("--print-data") { Description = "print each record: offset, time, key, headers and payload" };
        var dump = new Command("dump-log", "print the batches (and with --print-data the records) of a log segment file") { file, verifyCrc, printData };
        dump.SetAction(parsed =>
        {
            var path = parsed.GetValue(file)!;
            if (!path.Exists) return BrokerCall.Refused($"no such file: {path.FullName}");
            SegmentDump dumped;
            try { dumped = SegmentDump.Read(path.FullName, parsed.GetValue(verifyCrc), parsed.GetValue(printData)); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return BrokerCall.Refused($"cannot read {path.FullName}: {e.Message}"); }
            if (Output.IsJson(parsed)) Output.WriteJson(Console.Out, dumped);
            else Write(Console.Out, dumped);
            return dumped.Damaged ? ExitCodes.UsageOrRefused : ExitCodes.Ok;
        });
        return dump;
    }

    private static void Write(TextWriter output, SegmentDump d)
    {
        output.WriteLine($"Dumping {d.File}");
        foreach (var b in d.Batches)
        {
            var line = new StringBuilder($"baseOffset: {b.BaseOffset} lastOffset: {b.LastOffset} count: {b.Count} position: {b.Position} " +
                                         $"createTime: {Time(b.Timestamp)} size: {b.Size} compression: {b.Compression}");
            if (b.CrcValid is { } valid) line.Append(valid ? " crc: valid" : " crc: INVALID");
            output.WriteLine(line);
            if (b.RecordsError is { } error) output.WriteLine($"| records unreadable: {error}");
            foreach (var r in b.Records ?? [])
            {
                var headers = r.Headers.Count == 0 ? "" : " headers: " + string.Join(",", r.Headers.Select(h => $"{h.Key}={h.Value}"));
                output.WriteLine($"| offset: {r.Offset} createTime: {Time(r.Timestamp)} key: {Quoted(r.Key)}{headers} payload: {Quoted(r.Payload)}");
            }
        }
        if (d.Tail is { } tail) output.WriteLine($"end: {tail}");
        if (d.ZeroBytes > 0)
            output.WriteLine($"end: {d.ZeroBytes} bytes of zeros after the last batch (preallocated: an active segment, or one a crash left; not damage)");
        output.WriteLine($"{d.Batches.Count} batches, {d.Batches.Sum(b => b.Count)} records, {d.Batches.Sum(b => (long)b.Size)} bytes of {d.FileBytes}");
    }

    // JSON string literals: one record stays one line whatever its bytes, and an empty payload is visible
    private static string Quoted(string? text) => text is null ? "-" : JsonSerializer.Serialize(text);

    private static string Time(long unixMs) => DateTimeOffset.FromUnixTimeMilliseconds(unixMs).UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ");
}
