namespace Golog.Storage.Tests;

/// <summary>Topic and group names become file names, so anything that could escape or confuse a path is refused.</summary>
public class NamesTests
{
    [Theory]
    [InlineData("orders")]
    [InlineData("Orders.v2")]
    [InlineData("payments-eu_west-1")]
    [InlineData("a")]
    [InlineData("...")]
    [InlineData("-leading-dash")]
    [InlineData("__consumer_offsets")]
    public void Ordinary_names_are_valid(string name)
    {
        Assert.True(Names.IsValid(name));
    }

    [Fact]
    public void A_name_of_249_characters_is_valid_and_one_of_250_is_not()
    {
        Assert.True(Names.IsValid(new string('a', 249)));
        Assert.False(Names.IsValid(new string('a', 250)));
    }

    [Theory]
    [InlineData("")]
    [InlineData(".")]
    [InlineData("..")]
    [InlineData("a/b")]
    [InlineData("a\\b")]
    [InlineData("/abs")]
    [InlineData("C:x")]
    [InlineData("a\0b")]
    [InlineData("has space")]
    [InlineData("tab\t")]
    [InlineData("new\nline")]
    [InlineData("grüße")]
    [InlineData("日本")]
    [InlineData("ａｂｃ")] // full-width letters: digits and letters must be ASCII
    [InlineData("٣")] // Arabic-Indic digit
    [InlineData("a*b")]
    [InlineData("../../etc/passwd")]
    [InlineData("..\\..\\windows")]
    [InlineData("C:\\Windows")]
    [InlineData("\\\\server\\share")]
    [InlineData("a\u001fb")]
    [InlineData("a\u007fb")]
    public void Names_that_are_not_plain_ascii_file_names_are_invalid(string name)
    {
        Assert.False(Names.IsValid(name));
    }

    [Theory]
    [InlineData("CON")]
    [InlineData("con")]
    [InlineData("Nul")]
    [InlineData("PRN")]
    [InlineData("aux")]
    [InlineData("COM1")]
    [InlineData("com9")]
    [InlineData("LPT1")]
    [InlineData("lpt0")]
    [InlineData("NUL.txt")]
    [InlineData("con.offsets")]
    public void Windows_device_names_are_invalid_with_or_without_an_extension(string name)
    {
        Assert.False(Names.IsValid(name));
    }

    [Theory]
    [InlineData("CONSOLE")]
    [InlineData("com10")]
    [InlineData("a.con")]
    [InlineData("nullable")]
    public void Names_that_only_contain_a_device_name_are_valid(string name)
    {
        Assert.True(Names.IsValid(name));
    }

    [Fact]
    public void The_explanation_echoes_a_name_without_its_control_characters()
    {
        var text = Names.Explain("topic", "a\nb\0c");
        Assert.Contains("\"a?b?c\"", text);
        Assert.DoesNotContain('\n', text);
        Assert.DoesNotContain('\0', text);
    }

    [Fact]
    public void Null_is_not_a_name()
    {
        Assert.False(Names.IsValid(null));
    }
}
