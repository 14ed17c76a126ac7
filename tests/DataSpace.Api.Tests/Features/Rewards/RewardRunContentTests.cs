using System.Text;
using DataSpace.Api.Features.Rewards;
using DataSpace.Contracts.Rewards;

namespace DataSpace.Api.Tests.Features.Rewards;

/// <summary>
/// A run's SHA-256 covers its canonical content, and runs approved before the member-by-member line writer existed were
/// hashed with the serializer: the two must write the same bytes for every line, or those runs would no longer verify.
/// </summary>
public sealed class RewardRunContentTests
{
    private static readonly string[] Texts =
    [
        "", "中山市古镇灯饰数据科技有限公司", "quote \" backslash \\ slash / apostrophe ' <tag> & amp", "tab\tnewline\ncarriage\r",
        "\u0001\u001f control", "emoji 😀 and 𠀀 (U+20000)", "\u2028 line separator \u2029", "+ - 100% ＜全角＞",
    ];

    public static TheoryData<int> Seeds() => [.. Enumerable.Range(0, 40)];

    [Theory]
    [MemberData(nameof(Seeds))]
    public void A_line_is_written_exactly_as_the_serializer_writes_it(int seed)
    {
        var random = new Random(seed);
        string Text() => Texts[random.Next(Texts.Length)] + (random.Next(3) == 0 ? Texts[random.Next(Texts.Length)] : "");
        long Fen() => random.Next(4) switch { 0 => 0, 1 => long.MaxValue, 2 => -random.NextInt64(1, 1_000_000), _ => random.NextInt64(0, 10_000_000_000) };
        var criteria = Enumerable.Range(0, random.Next(0, 8)).Select(_ => new RewardCriterion(
            Text(), Fen(), Fen(), random.Next(2) == 0, Text(), random.Next(2) == 0 ? null : Text())).ToList();
        var line = new RewardRunLine(Guid.NewGuid().ToString(), Text(), Guid.NewGuid().ToString(), Text(), Fen(), criteria, random.Next(2) == 0, Fen(), Fen(), Fen(), Text());

        using var byMembers = new RewardRunContent();
        using var bySerializer = new RewardRunContent();
        var written = Encoding.UTF8.GetString(byMembers.Add(line).Span);
        var serialized = Encoding.UTF8.GetString(bySerializer.Add<object>(line).Span);

        Assert.Equal(serialized, written);
        Assert.Equal(bySerializer.Sha256(), byMembers.Sha256());
    }
}
