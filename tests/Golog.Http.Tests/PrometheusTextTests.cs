namespace Golog.Http.Tests;

public class PrometheusTextTests
{
    [Fact]
    public void Parses_families_labels_with_escapes_and_special_values()
    {
        var text = PrometheusText.Parse("""
            # HELP golog_produced_messages_total Messages acknowledged
            # TYPE golog_produced_messages_total counter
            golog_produced_messages_total{topic="a\"b\\c\nd",door="json"} 42
            # TYPE golog_fsync_duration_seconds histogram
            golog_fsync_duration_seconds_bucket{le="+Inf"} 3 1700000000000
            golog_fsync_duration_seconds_sum NaN

            """);

        Assert.Equal(42, text.Value("golog_produced_messages_total", "topic=a\"b\\c\nd", "door=json"));
        Assert.Equal(3, text.Value("golog_fsync_duration_seconds_bucket", "le=+Inf"));
        Assert.True(double.IsNaN(text.Value("golog_fsync_duration_seconds_sum")));
        Assert.Equal("histogram", text.TypeOf["golog_fsync_duration_seconds"]);
    }

    [Theory]
    [InlineData("# TYPE x counter\nx{a=\"1\" 1\n")]        // unclosed labels
    [InlineData("# TYPE x counter\nx{a=1} 1\n")]           // unquoted label value
    [InlineData("# TYPE x counter\nx 1,5\n")]               // not a float
    [InlineData("x 1\n")]                                   // no TYPE for the family
    [InlineData("# TYPE x counter\nx{a=\"\\q\"} 1\n")]     // unknown escape
    [InlineData("# TYPE x counter\nx 1")]                   // no final newline
    [InlineData("# TYPE x countr\nx 1\n")]                  // unknown type
    public void Refuses_what_Prometheus_would_refuse(string exposition) =>
        Assert.ThrowsAny<Exception>(() => PrometheusText.Parse(exposition));
}
