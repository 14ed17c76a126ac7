using DataSpace.Api.Features.Organizations;

namespace DataSpace.Api.Tests.Features.Organizations;

public sealed class UnifiedSocialCreditCodeTests
{
    [Theory]
    [InlineData("91350100M000100Y43")] // the example printed in GB 32100-2015 commentaries
    [InlineData("91110000600037341L")]
    [InlineData("91440300708461136T")]
    [InlineData("12100000400000624D")]
    public void Valid_codes_pass(string code) => Assert.Null(UnifiedSocialCreditCode.Problem(code));

    [Theory]
    [InlineData(null, "is required")]
    [InlineData("", "is required")]
    [InlineData("91350100M000100Y4", "exactly 18 characters")]
    [InlineData("91350100M000100Y433", "exactly 18 characters")]
    [InlineData("91350100M000100Y44", "check character")]
    [InlineData("91350100M000100Y4I", "not allowed")]
    [InlineData("91350100M000100O43", "not allowed")]
    [InlineData("91350100m000100Y43", "not allowed")]
    [InlineData("9135010OM000100Y43", "not allowed")]
    [InlineData("9135A100M000100Y43", "must be digits")]
    [InlineData("９１350100M000100Y43", "not allowed")]
    [InlineData("中山市人工智能赋能平台运营中心aaa", "not allowed")]
    public void Invalid_codes_say_what_is_wrong(string? code, string expected) =>
        Assert.Contains(expected, UnifiedSocialCreditCode.Problem(code), StringComparison.Ordinal);

    [Fact]
    public void Check_character_of_a_known_code_is_computed_by_the_standard_weights() =>
        Assert.Equal('3', UnifiedSocialCreditCode.CheckCharacter("91350100M000100Y4"));
}
