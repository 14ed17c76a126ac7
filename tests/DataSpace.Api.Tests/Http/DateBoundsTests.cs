using System.Globalization;

namespace DataSpace.Api.Tests.Http;

/// <summary>
/// Property-style: every date, month and period a client sends (query strings and JSON bodies), drawn from a seeded
/// generator that favours the calendar's edges, is answered with a success or a 400 problem — never a 5xx — and a
/// well-formed date outside 1000-01-01..2999-12-31 is a 400 naming its field.
/// </summary>
public sealed class DateBoundsTests(DataSpaceApiFactory api) : IClassFixture<DataSpaceApiFactory>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const int CasesPerEndpoint = 40;

    private static readonly int[] EdgeYears = [0, 1, 999, 1000, 1949, 2200, 2999, 3000, 9998, 9999];

    /// <summary>A date-like text and, when it is a real calendar date, that date.</summary>
    private static (string Text, DateOnly? Date) NextDate(Random random)
    {
        var junk = new[] { "", "2024-1-1", "２０２４-01-01", "2024-01-01T00:00", "+2024-01-01", "-0001-01-01", "99999-01-01", "2024-02-30", "0000-00-00", "abcd-ef-gh" };
        if (random.Next(8) == 0)
        {
            var text = junk[random.Next(junk.Length)];
            return (text, null);
        }

        var year = random.Next(3) == 0 ? random.Next(0, 10000) : EdgeYears[random.Next(EdgeYears.Length)];
        var month = random.Next(4) == 0 ? random.Next(0, 14) : random.Next(1, 13);
        var day = random.Next(4) == 0 ? random.Next(0, 33) : (random.Next(2) == 0 ? 1 : 28 + random.Next(4));
        var formatted = $"{year:D4}-{month:D2}-{day:D2}";
        return (formatted, DateOnly.TryParseExact(formatted, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d : null);
    }

    private static bool OutOfRange(DateOnly? date) => date is { } d && (d.Year < 1000 || d.Year > 2999);

    /// <summary>
    /// Success, or a 4xx problem; when <paramref name="mustRefuse"/>, a 400 validation problem (or malformed_json, for a
    /// body instant the JSON reader itself cannot represent, such as 0001-01-01T00:00:00+08:00).
    /// </summary>
    private static async Task AssertAnswered(HttpResponseMessage response, bool mustRefuse, string what)
    {
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True((int)response.StatusCode < 500, $"{what}: {(int)response.StatusCode} {text}");
        if (!response.IsSuccessStatusCode)
        {
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }

        if (mustRefuse)
        {
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{what}: expected 400, got {(int)response.StatusCode} {text}");
            Assert.Contains(JsonDocument.Parse(text).RootElement.GetProperty("code").GetString(), new[] { "validation_failed", "malformed_json" });
        }
    }

    [Fact]
    public async Task The_revenue_report_at_the_end_of_the_calendar_is_a_400_naming_the_month()
    {
        using var unit = await api.ClientFor(await api.OrganizationAsync("日历尽头的数源单位", "source_unit"));
        var problem = await (await unit.GetAsync("/v1/revenue?from=9999-12&to=9999-12", Ct)).AssertProblem(HttpStatusCode.BadRequest, "validation_failed");
        Assert.Equal(["from", "to"], problem.ErrorFields().Order());
        await (await unit.GetAsync("/v1/revenue?to=1000-01", Ct)).AssertJson();
        await (await unit.GetAsync("/v1/revenue?from=2999-12&to=2999-12", Ct)).AssertJson();
    }

    [Fact]
    public async Task Query_dates_and_months_are_answered_or_refused_never_500()
    {
        var random = new Random(20261201);
        var unitOrg = await api.OrganizationAsync("日期性质测试数源单位", "source_unit");
        using var unit = await api.ClientFor(unitOrg);
        using var builder = await api.ClientFor(await api.OrganizationAsync("日期性质测试模型方", "model_builder"));
        var authorityOrg = await api.OrganizationAsync("日期性质测试主管部门", "authority");
        using var authority = await api.ClientFor(authorityOrg);
        using var bureau = await api.ClientFor(await api.OrganizationAsync("日期性质测试数据局", "data_bureau"));
        await ConsentFlow.GrantAsync(unit, ConsentFlow.Body(authorityOrg.OrganizationId, ["usage_statistics"]));
        var dataset = await DatasetFlow.PublishedAsync(unit, new Dictionary<string, byte[]> { ["a.csv"] = "a\n"u8.ToArray() });

        for (var i = 0; i < CasesPerEndpoint; i++)
        {
            var (from, fromDate) = NextDate(random);
            var (to, toDate) = NextDate(random);
            var refuse = OutOfRange(fromDate) || OutOfRange(toDate);
            var q = $"from={Uri.EscapeDataString(from)}&to={Uri.EscapeDataString(to)}";
            var months = $"from={Uri.EscapeDataString(from.Length >= 7 ? from[..7] : from)}&to={Uri.EscapeDataString(to.Length >= 7 ? to[..7] : to)}";
            var monthsRefuse = (fromDate is { } f && (f.Year < 1000 || f.Year > 2999)) || (toDate is { } t && (t.Year < 1000 || t.Year > 2999));

            await AssertAnswered(await unit.GetAsync("/v1/revenue?" + months, Ct), monthsRefuse, "revenue " + months);
            await AssertAnswered(await unit.GetAsync($"/v1/datasets/{dataset}/usage?{q}&granularity=month", Ct), refuse, "dataset usage " + q);
            await AssertAnswered(await builder.GetAsync("/v1/usage?" + q, Ct), refuse, "usage " + q);
            await AssertAnswered(await builder.GetAsync("/v1/usage/export?" + q, Ct), refuse, "usage export " + q);
            await AssertAnswered(await authority.GetAsync($"/v1/authority/units/{unitOrg.OrganizationId}/usage?{q}", Ct), refuse, "authority usage " + q);
            await AssertAnswered(await bureau.GetAsync($"/v1/exports/data-assets?format=csv&{q}", Ct), refuse, "record export " + q);
        }
    }

    [Fact]
    public async Task Body_dates_are_answered_or_refused_never_500()
    {
        var random = new Random(1949_10_01);
        using var unit = await api.ClientFor(await api.OrganizationAsync("日期性质测试（正文）", "source_unit"));
        var bureauOrg = await api.OrganizationAsync("日期性质测试数据局（正文）", "data_bureau");
        using var bureau = await api.ClientFor(bureauOrg);
        var policy = (await (await bureau.PostAsJsonAsync("/v1/reward-policies",
            new { name = "日期", cap_scope = "per_period", min_files = 0, min_bytes = 0, min_versions_in_period = 0, min_paying_consumers = 0 }, Ct))
            .AssertJson(HttpStatusCode.Created)).GetProperty("id").GetString();

        for (var i = 0; i < CasesPerEndpoint; i++)
        {
            var (a, aDate) = NextDate(random);
            var (b, bDate) = NextDate(random);
            var refuse = OutOfRange(aDate) || OutOfRange(bDate);

            await AssertAnswered(await bureau.PostAsync("/v1/reward-runs",
                Json($$"""{"policy_id":"{{policy}}","period_from":"{{a}}","period_to":"{{b}}"}"""), Ct), refuse, $"reward run {a} {b}");
            await AssertAnswered(await unit.PostAsync("/v1/dcmm-certificates",
                Json($$"""{"standard":"GB/T 36073-2018","level":3,"certificate_number":"D-{{i}}","certifying_body":"中国电子信息行业联合会","issued_on":"{{a}}","valid_until":"{{b}}"}"""), Ct),
                refuse, $"dcmm {a} {b}");
            await AssertAnswered(await unit.PostAsync("/v1/dcmm-certificates",
                Json($$"""{"standard":"GB/T 36073-2018","level":3,"certificate_number":"E-{{i}}","certifying_body":"中国电子信息行业联合会","issued_on":"{{a}}"}"""), Ct),
                OutOfRange(aDate), $"dcmm default validity {a}");
            var consent = ConsentFlow.Body(bureauOrg.OrganizationId, ["revenue"]);
            // Unknown members are refused, so the window replaces the body's own rather than sitting beside it.
            var body = System.Text.Json.Nodes.JsonNode.Parse(JsonSerializer.Serialize(consent))!.AsObject();
            body.Remove("valid_from");
            body.Remove("valid_until");
            var window = body.ToJsonString().TrimEnd('}') + $$""","valid_from":"{{a}}T00:00:00+08:00","valid_until":"{{b}}T00:00:00+08:00"}""";
            await AssertAnswered(await unit.PostAsync("/v1/consents", Json(window), Ct), refuse, $"consent {a} {b}");
        }
    }

    private static StringContent Json(string json) => new(json, System.Text.Encoding.UTF8, "application/json");
}
