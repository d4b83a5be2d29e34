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
    public void The_corpus_covers_every_request_type_and_the_hostile_kinds_of_the_issue()
    {
        var text = NastyCorpus.Load().Select(c => System.Text.Encoding.Latin1.GetString(c.Line)).ToList();
        foreach (var type in new[] { "produce", "fetch", "commit", "committed", "create_topic", "metadata" })
            Assert.Contains(text, t => t.Contains($"\"type\":\"{type}\""));
        Assert.Contains(text, t => t.Length == 0);
        Assert.Contains(text, t => t.Contains('\0'));
        Assert.Contains(text, t => t.Contains("1e400"));
        Assert.Contains(text, t => t.Contains("\"NaN\""));
        Assert.Contains(text, t => t.Contains("[[[[[[[[[[[[[[[["));
        Assert.Contains(text, t => !t.Contains("\"id\"") && t.StartsWith('{'));
    }
}
