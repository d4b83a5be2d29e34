using CsCheck;
using Xunit.Abstractions;

namespace Golog.Protocol.Tests.Fuzz;

/// <summary>
/// The parser facing hostile input: thousands of generated lines per run, and the fixed corpus. Every line gives a
/// valid request or one of the parser's error codes, in the style the line asked for, and never an exception.
/// </summary>
public class ParserFuzzTests(ITestOutputHelper output)
{
    private const int GeneratedLinesPerRun = 50_000;

    [Fact]
    public void Every_generated_hostile_line_gives_a_request_or_a_parser_error_code()
    {
        int rejected = 0;
        Check.Sample(HostileRequests.Line, line =>
        {
            var result = RequestParser.Parse(line); // an exception here fails the sample, shrunk to a small line
            if (result.Error is { } error)
            {
                Assert.Contains(error.Code, HostileRequests.ParserCodes);
                Assert.False(string.IsNullOrWhiteSpace(error.Message));
                Assert.Null(result.Request);
                Interlocked.Increment(ref rejected);
            }
            else Assert.NotNull(result.Request);
        }, iter: GeneratedLinesPerRun, print: HostileRequests.Show);
        output.WriteLine($"{GeneratedLinesPerRun} generated lines parsed, {rejected} rejected with a parser error code");
        Assert.True(rejected > GeneratedLinesPerRun / 2, $"the generator should mostly produce bad lines, got {rejected} rejected");
    }

    [Fact]
    public void Every_unmutated_request_of_the_generator_is_valid()
    {
        Check.Sample(HostileRequests.ValidRequest, members =>
        {
            var result = RequestParser.Parse(Wire.Utf8(HostileRequests.Json(members)));
            Assert.Null(result.Error);
        }, iter: 1000);
    }

    [Fact]
    public void A_rejected_line_that_carried_a_readable_id_is_answered_framed()
    {
        Check.Sample(HostileRequests.ValidRequest, members =>
        {
            if (!members.Any(m => m.Name == "id")) return;
            // the id stays first and intact; the damage comes after it
            var damaged = members.OrderBy(m => m.Name != "id").Select(m => m.Name == "id" ? m : (m.Name, "[[")).ToList();
            var result = RequestParser.Parse(Wire.Utf8(HostileRequests.Json(damaged)));
            Assert.NotNull(result.Error);
            Assert.True(result.IsFramed);
        }, iter: 1000);
    }

    public static TheoryData<NastyCorpus.Case> Corpus => [.. NastyCorpus.Load()];

    [Theory]
    [MemberData(nameof(Corpus))]
    public void A_corpus_line_gets_its_parser_code_or_is_left_to_the_broker(NastyCorpus.Case c)
    {
        var result = RequestParser.Parse(c.Line);
        if (c.IsParserCode) Assert.Equal(c.Code, result.Error?.Code);
        else Assert.Null(result.Error); // a name, a partition or an offset the broker must refuse
    }

    [Fact]
    public void Every_refused_corpus_and_generated_line_gets_one_well_formed_error_in_user_terms()
    {
        var corpus = NastyCorpus.Load().Where(c => c.IsParserCode).Select(c => c.Line);
        var generated = new List<byte[]>();
        Check.Sample(HostileRequests.Line, generated.Add, iter: 20_000, threads: 1);
        int refused = 0;
        foreach (var line in corpus.Concat(generated))
        {
            ParseResult result;
            try { result = RequestParser.Parse(line); }
            catch (Exception e) { throw new Xunit.Sdk.XunitException($"{HostileRequests.Show(line)}: {e.GetType().Name} escaped the parser: {e.Message}"); }
            if (result.Error is not { } error) continue;
            refused++;
            AssertInUserTerms(line, error.Message, RuntimeWords);
            if (result.IsFramed) AssertFramedErrorReply(line, result.Id!.Value, error);
            else AssertSeedErrorReply(line, error);
        }
        output.WriteLine($"{refused} refused lines checked");
        Assert.True(refused > 10_000, $"only {refused} lines were refused");
    }

    [Fact]
    public void No_refusal_message_is_in_the_json_library_s_own_wording()
    {
        var lines = NastyCorpus.Load().Where(c => c.IsParserCode).Select(c => c.Line).ToList();
        Check.Sample(HostileRequests.Line, lines.Add, iter: 20_000, threads: 1);
        foreach (var line in lines)
            if (RequestParser.Parse(line).Error is { } error) AssertInUserTerms(line, error.Message, JsonLibraryWords);
    }

    [Fact]
    public void The_corpus_kinds_of_hostile_line_are_each_refused_with_their_code()
    {
        // the kinds of the issue: each is in the corpus and the parser refuses it in the style it asked for
        var cases = NastyCorpus.Load();
        AssertRefused(c => c.Line.Length == 0, ErrorCode.InvalidJson, framed: false);
        AssertRefused(c => c.Line.Contains((byte)0), ErrorCode.InvalidJson, framed: null);
        AssertRefused(c => Text(c).Contains("\"offset\":1e400"), ErrorCode.InvalidRequest, framed: true);
        AssertRefused(c => Text(c).Contains("\"offset\":\"NaN\""), ErrorCode.InvalidRequest, framed: true);
        AssertRefused(c => Text(c).Contains("[[[[[[[[[[[[[[[[[[[["), ErrorCode.InvalidJson, framed: true);
        AssertRefused(c => !Text(c).Contains("\"id\"") && Text(c).StartsWith('{') && c.IsParserCode, null, framed: false);
        foreach (var type in new[] { "produce", "fetch", "commit", "committed", "create_topic", "metadata" })
            AssertRefused(c => Text(c).Contains($"\"type\":\"{type}\"") && c.IsParserCode, null, framed: null);

        void AssertRefused(Func<NastyCorpus.Case, bool> kind, string? code, bool? framed)
        {
            var matching = cases.Where(kind).ToList();
            Assert.NotEmpty(matching);
            foreach (var c in matching.Where(c => c.IsParserCode))
            {
                var result = RequestParser.Parse(c.Line);
                Assert.Null(result.Request);
                Assert.Equal(code ?? c.Code, result.Error?.Code);
                if (framed is { } f) Assert.Equal(f, result.IsFramed);
                AssertInUserTerms(c.Line, result.Error!.Message, RuntimeWords);
            }
        }
        static string Text(NastyCorpus.Case c) => System.Text.Encoding.Latin1.GetString(c.Line);
    }

    [Fact]
    public void Every_valid_request_round_trips_through_the_client_writer_field_for_field()
    {
        Check.Sample(HostileRequests.ValidRequest, members =>
        {
            var first = RequestParser.Parse(Wire.Utf8(HostileRequests.Json(members)));
            Assert.Null(first.Error);
            var request = first.Request!;
            // what was written is what was read
            var written = members.ToDictionary(m => m.Name, m => m.Value);
            Assert.Equal(written["type"], $"\"{Name(request.Type)}\"");
            Assert.Equal(written.GetValueOrDefault("id"), request.Id?.ToString());
            Assert.Equal(written.GetValueOrDefault("topic"), request.Topic is { } t ? $"\"{t}\"" : null);
            if (written.TryGetValue("partition", out var partition)) Assert.Equal(partition, request.Partition?.ToString());
            if (written.TryGetValue("offset", out var offset)) Assert.Equal(offset, request.Offset?.ToString());
            // and the client's writer says it again, field for field
            var again = RequestParser.Parse(Wire.SingleLine(Wire.Output(b => Rewrite(new RequestWriter(b), request))));
            Assert.Null(again.Error);
            Assert.Equal(Fields(request), Fields(again.Request!));
        }, iter: 2000);
    }

    private static string Name(RequestType type) => type switch
    {
        RequestType.CreateTopic => "create_topic",
        _ => type.ToString().ToLowerInvariant(),
    };

    private static void Rewrite(RequestWriter w, Request r)
    {
        switch (r.Type)
        {
            case RequestType.Produce when !r.IsFramed: w.SeedProduce(r.Topic!, r.Partition!.Value, r.Messages.Single().Span); break;
            case RequestType.Produce:
                w.Produce(1, r.Topic!, r.Partition, r.Messages, r.Key is { } k ? Wire.Text(k) : null,
                    r.Headers.ToDictionary(h => Wire.Text(h.Key), h => Wire.Text(h.Value)));
                break;
            case RequestType.Fetch: w.Fetch(1, r.Topic!, r.Partition!.Value, r.Offset!.Value, r.MaxMessages, r.MaxBytes, r.MaxWaitMs); break;
            case RequestType.Commit: w.Commit(1, r.Group!, r.Topic!, r.Partition!.Value, r.Offset!.Value); break;
            case RequestType.Committed: w.Committed(1, r.Group!, r.Topic!, r.Partition!.Value); break;
            case RequestType.CreateTopic: w.CreateTopic(1, r.Topic!, r.Partitions!.Value); break;
            case RequestType.Metadata: w.Metadata(1, r.Topic); break;
            default: throw new InvalidOperationException($"the generator made a {r.Type}");
        }
    }

    /// <summary>Every field but the id (the writer numbers its own) and the style (a seed fetch is rewritten framed).</summary>
    private static string Fields(Request r) => string.Join("|", r.Type, r.Topic, r.Partition, r.Offset, r.Group, r.Partitions,
        r.MaxMessages, r.MaxBytes, r.MaxWaitMs, Wire.Text(r.Key), string.Join(",", r.Messages.Select(m => Wire.Text(m))),
        string.Join(",", r.Headers.Select(h => Wire.Text(h.Key) + "=" + Wire.Text(h.Value))));

    /// <summary>Words of the runtime, not of the protocol: exception and type names, stack traces.</summary>
    private static readonly string[] RuntimeWords = ["Exception", "System.", "Utf8JsonReader", "JsonTokenType", "TokenType", "ReadOnlySpan", "   at ", " --->"];

    /// <summary>The JSON library's own wording: its position format and the string encoding it decodes into.</summary>
    private static readonly string[] JsonLibraryWords = ["LineNumber", "BytePositionInLine", "UTF-16"];

    private static void AssertInUserTerms(byte[] line, string message, string[] internals)
    {
        Assert.False(string.IsNullOrWhiteSpace(message), $"{HostileRequests.Show(line)}: empty message");
        Assert.True(message.Length <= 300, $"{HostileRequests.Show(line)}: message of {message.Length} characters");
        foreach (var word in internals)
            Assert.False(message.Contains(word, StringComparison.Ordinal), $"{HostileRequests.Show(line)}: \"{word}\" in the message: {message}");
    }

    /// <summary>The reply the broker writes for it (one line even where the message echoes a "\n" of the request): one line of JSON that echoes the id, ok false, the code and the message.</summary>
    private static void AssertFramedErrorReply(byte[] line, RequestId id, ProtocolError error)
    {
        var reply = Wire.SingleLine(Wire.Output(b => new FramedReplyWriter(b).Error(id, error)));
        using var doc = System.Text.Json.JsonDocument.Parse(reply);
        var root = doc.RootElement;
        Assert.Equal(id.ToString(), root.GetProperty("id").GetRawText());
        Assert.False(root.GetProperty("ok").GetBoolean(), HostileRequests.Show(line));
        Assert.Equal(error.Code, root.GetProperty("error").GetProperty("code").GetString());
        Assert.Equal(error.Message, root.GetProperty("error").GetProperty("message").GetString());
    }

    /// <summary>A seed-style line is answered with one plain "error: TEXT" line.</summary>
    private static void AssertSeedErrorReply(byte[] line, ProtocolError error)
    {
        var reply = Wire.Text(Wire.SingleLine(Wire.Output(b => SeedText.Error(b, error.Message))));
        Assert.Equal("error: " + error.Message.Replace('\n', ' ').Replace('\r', ' '), reply); // one line, whatever the message echoes
    }
}
