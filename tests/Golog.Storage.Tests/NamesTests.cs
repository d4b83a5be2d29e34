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
    public void Names_that_are_not_plain_ascii_file_names_are_invalid(string name)
    {
        Assert.False(Names.IsValid(name));
    }

    [Fact]
    public void Null_is_not_a_name()
    {
        Assert.False(Names.IsValid(null));
    }
}
