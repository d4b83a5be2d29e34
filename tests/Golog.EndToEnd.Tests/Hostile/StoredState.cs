using System.Text;
using System.Text.Json;

namespace Golog.EndToEnd.Tests.Hostile;

/// <summary>
/// Everything a broker stores, as one comparable text: every topic's partitions with their bounds and every record
/// (fetched through the protocol), a group's committed offset, and the names of the files and directories in
/// storage. Equal before and after hostile input means the input changed nothing.
/// </summary>
public static class StoredState
{
    public static async Task<string> CaptureAsync(LineClient client, string storage, string group = "g")
    {
        var text = new StringBuilder();
        using var metadata = JsonDocument.Parse(await client.RequestAsync("""{"id":"state","type":"metadata"}"""));
        foreach (var topic in metadata.RootElement.GetProperty("topics").EnumerateArray())
        {
            string name = topic.GetProperty("name").GetString()!;
            foreach (var p in topic.GetProperty("partitions").EnumerateArray())
            {
                int partition = p.GetProperty("partition").GetInt32();
                long start = p.GetProperty("log_start_offset").GetInt64(), end = p.GetProperty("high_watermark").GetInt64();
                text.AppendLine($"{name}-{partition} [{start},{end})");
                for (long offset = start; offset < end;)
                {
                    using var fetch = JsonDocument.Parse(await client.RequestAsync(
                        $$"""{"id":"state","type":"fetch","topic":"{{name}}","partition":{{partition}},"offset":{{offset}},"max_messages":1000}"""));
                    var records = fetch.RootElement.GetProperty("records").EnumerateArray().ToList();
                    if (records.Count == 0) throw new InvalidOperationException($"{name}-{partition} returned nothing at {offset} below {end}");
                    foreach (var r in records) text.AppendLine(r.GetRawText());
                    offset = records[^1].GetProperty("offset").GetInt64() + 1;
                }
                using var committed = JsonDocument.Parse(await client.RequestAsync(
                    $$"""{"id":"state","type":"committed","group":"{{group}}","topic":"{{name}}","partition":{{partition}}}"""));
                text.AppendLine($"committed {committed.RootElement.GetProperty("offset").GetRawText()}");
            }
        }
        foreach (var entry in Directory.EnumerateFileSystemEntries(storage, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            text.AppendLine(Path.GetRelativePath(storage, entry));
        return text.ToString();
    }
}
