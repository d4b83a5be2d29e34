using System.Text;
using System.Text.Json;
using CsCheck;
using Golog.Protocol;
using Golog.Protocol.Tests.Fuzz;
using Golog.Storage;
using Xunit.Abstractions;

namespace Golog.EndToEnd.Tests.Hostile;

/// <summary>
/// Hostile lines against a real listener: the fixed corpus and a few thousand generated lines per run. Every line
/// gets exactly one error reply in its style, the connection stays usable, another client is unaffected, and what
/// is stored (records, offsets, files) is the same afterwards.
/// </summary>
public sealed class HostileInputTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int GeneratedLinesPerRun = 5000;
    private const int PipelineDepth = 50;
    private readonly TempStorage _storage = new();
    private InProcessBroker _broker = null!;

    public async Task InitializeAsync()
    {
        _broker = await InProcessBroker.StartAsync(_storage.Path);
        await using var c = await LineClient.ConnectAsync(_broker.Port);
        Assert.Contains("\"ok\":true", await c.RequestAsync("""{"id":0,"type":"produce","topic":"t","partition":0,"messages":["x","y"]}"""));
        Assert.Contains("\"ok\":true", await c.RequestAsync("""{"id":0,"type":"create_topic","topic":"exists","partitions":1}"""));
        Assert.Contains("\"ok\":true", await c.RequestAsync("""{"id":0,"type":"commit","group":"g","topic":"t","partition":0,"offset":1}"""));
    }

    public async Task DisposeAsync()
    {
        await _broker.DisposeAsync();
        _storage.Dispose();
    }

    [Fact]
    public async Task The_nasty_corpus_gets_its_codes_and_changes_nothing()
    {
        var cases = NastyCorpus.Load();
        await AssertRefusedWithoutHarmAsync(cases.Select(c => (c.Line, c.Code)).ToList());
        output.WriteLine($"{cases.Count} corpus lines replayed end to end");
    }

    [Fact]
    public async Task Thousands_of_generated_hostile_lines_are_each_refused_and_change_nothing()
    {
        var lines = new List<(byte[] Line, string Code)>();
        Check.Sample(Gen.Frequency((4, MalformedLine), (1, BadNameLine)), l => { lines.Add(l); }, iter: GeneratedLinesPerRun, threads: 1);
        await AssertRefusedWithoutHarmAsync(lines);
        output.WriteLine($"{lines.Count} generated hostile lines sent end to end, every one refused");
    }

    /// <summary>Generated lines the parser refuses (parse-valid ones could legitimately store data, so they are regenerated).</summary>
    private static readonly Gen<(byte[], string)> MalformedLine = HostileRequests.Line
        .Select(line => (line, RequestParser.Parse(line).Error?.Code))
        .Where(l => l.Code is not null)
        .Select(l => (l.line, l.Code!));

    /// <summary>Well-formed requests whose topic or group name tries to be a path, a device or junk.</summary>
    private static readonly Gen<(byte[], string)> BadNameLine = Gen.Select(
        Gen.Frequency(
            (3, Gen.OneOf("..", ".", "../x", "a/b", "a\\b", "/abs", "C:\\x", "\\\\server\\share", "CON", "nul.txt", "com1", "LPT9.log",
                new string('a', 250), "a\u0001b", "a\u0000b", "", " ", "a b", "ü")),
            (1, Gen.String.Where(s => !Names.IsValid(s)))),
        Gen.Int[0, 5],
        (name, kind) =>
        {
            string n = JsonSerializer.Serialize(name);
            var (line, code) = kind switch
            {
                0 => ($$"""{"type":"produce","topic":{{n}},"message":"m"}""", ErrorCode.InvalidTopicName),
                1 => ($$"""{"id":1,"type":"produce","topic":{{n}},"messages":["m"]}""", ErrorCode.InvalidTopicName),
                2 => ($$"""{"id":1,"type":"create_topic","topic":{{n}},"partitions":1}""", ErrorCode.InvalidTopicName),
                3 => ($$"""{"id":1,"type":"fetch","topic":{{n}},"partition":0,"offset":0}""", ErrorCode.InvalidTopicName),
                4 => ($$"""{"id":1,"type":"commit","group":{{n}},"topic":"t","partition":0,"offset":1}""", ErrorCode.InvalidGroupName),
                _ => ($$"""{"id":1,"type":"committed","group":{{n}},"topic":"t","partition":0}""", ErrorCode.InvalidGroupName),
            };
            var bytes = Encoding.UTF8.GetBytes(line);
            return (bytes, RequestParser.Parse(bytes).Error?.Code ?? code); // a lone surrogate is invalid_json before it is a bad name
        });

    /// <summary>
    /// Sends the lines pipelined, each followed by a sentinel request whose reply marks where the line's replies end, so
    /// a line answered with zero or two lines is caught. Checks the observer client and the stored state around it all.
    /// </summary>
    private async Task AssertRefusedWithoutHarmAsync(IReadOnlyList<(byte[] Line, string Code)> lines)
    {
        await using var observer = await LineClient.ConnectAsync(_broker.Port);
        string before = await StoredState.CaptureAsync(observer, _storage.Path);
        await using var hostile = await LineClient.ConnectAsync(_broker.Port);
        for (int start = 0; start < lines.Count; start += PipelineDepth)
        {
            var chunk = lines.Skip(start).Take(PipelineDepth).ToList();
            var wire = new List<byte>();
            for (int i = 0; i < chunk.Count; i++)
                wire.AddRange([.. chunk[i].Line, (byte)'\n', .. Encoding.UTF8.GetBytes(Sentinel(start + i) + "\n")]);
            await hostile.SendRawAsync([.. wire]);
            for (int i = 0; i < chunk.Count; i++)
            {
                var replies = new List<string>();
                try
                {
                    for (string r; !(r = await hostile.ReadLineAsync()).Contains($"\"id\":\"sentinel-{start + i}\"");) replies.Add(r);
                }
                catch (TimeoutException)
                {
                    Assert.Fail($"no reply after {HostileRequests.Show(chunk[i].Line)}; got {string.Join(" | ", replies)}");
                }
                AssertRefusal(chunk[i], replies);
            }
            using var check = JsonDocument.Parse(await observer.RequestAsync("""{"id":"o","type":"fetch","topic":"t","partition":0,"offset":0}"""));
            Assert.Equal(2, check.RootElement.GetProperty("records").GetArrayLength());
        }
        Assert.Equal(before, await StoredState.CaptureAsync(hostile, _storage.Path));
        await using var newcomer = await LineClient.ConnectAsync(_broker.Port);
        Assert.Contains("\"ok\":true", await newcomer.RequestAsync("""{"id":1,"type":"metadata"}"""));
    }

    private static string Sentinel(int n) => $$"""{"id":"sentinel-{{n}}","type":"metadata","topic":"exists"}""";

    private static void AssertRefusal((byte[] Line, string Code) sent, List<string> replies)
    {
        string shown = HostileRequests.Show(sent.Line);
        Assert.True(replies.Count == 1, $"{replies.Count} replies to {shown}: {string.Join(" | ", replies)}");
        bool framed = RequestParser.Parse(sent.Line).IsFramed; // the broker must answer in the style the line asked for
        if (!framed)
        {
            Assert.True(replies[0].StartsWith("error: "), $"seed-style reply to {shown}: {replies[0]}");
            return;
        }
        using var reply = JsonDocument.Parse(replies[0]);
        Assert.False(reply.RootElement.GetProperty("ok").GetBoolean(), shown);
        Assert.True(sent.Code == reply.RootElement.GetProperty("error").GetProperty("code").GetString(), $"expected {sent.Code} for {shown}: {replies[0]}");
    }
}
