using System.Net.Http.Headers;

namespace DataSpace.Api.Tests.Infrastructure;

/// <summary>Records (data assets, DCMM certificates, pilots) through the API, for tests that need them.</summary>
public static class RecordFlow
{
    public static object Dcmm(int level, string number = "DCMM-2026-0001", string issued = "2026-03-01") => new
    {
        standard = "GB/T 36073-2018",
        level,
        certificate_number = number,
        certifying_body = "中国电子信息行业联合会",
        issued_on = issued,
    };

    public static object Pilot(string level, long costFen, string name = "古镇灯饰产业可信数据空间") => new
    {
        level,
        project_name = name,
        approval_number = "粤数据〔2026〕12号",
        construction_cost_fen = costFen,
    };

    public static object Asset(string name = "灯饰出口统计数据资产", string category = "intangible_asset", int? usefulLife = 60) => new
    {
        name,
        accounting_category = category,
        acquisition = "self_developed",
        cost_fen = 12_345_678,
        recognition_date = "2026-06-30",
        useful_life_months = usefulLife,
        notes = "按《企业数据资源相关会计处理暂行规定》入表",
    };

    public static async Task<string> CreateAsync(HttpClient unit, string path, object body)
    {
        var response = await unit.PostAsJsonAsync($"/v1/{path}", body);
        return (await response.AssertJson(HttpStatusCode.Created)).GetProperty("id").GetString()!;
    }

    /// <summary>PUT of a file named with RFC 6266 filename*.</summary>
    public static Task<HttpResponseMessage> UploadAsync(HttpClient unit, string url, string fileName, byte[] content, string contentType = "application/pdf")
    {
        var body = new ByteArrayContent(content);
        body.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        body.Headers.TryAddWithoutValidation("Content-Disposition", $"attachment; filename*=UTF-8''{Uri.EscapeDataString(fileName)}");
        return unit.PutAsync(url, body);
    }

    /// <summary>Creates, attaches evidence, submits and (with a bureau client) verifies a DCMM certificate or pilot.</summary>
    public static async Task<string> VerifiedAsync(HttpClient unit, HttpClient bureau, string path, object body)
    {
        var id = await CreateAsync(unit, path, body);
        await (await UploadAsync(unit, $"/v1/{path}/{id}/evidence", "证书.pdf", "%PDF-1.7 evidence"u8.ToArray())).AssertJson();
        await (await unit.PostAsync($"/v1/{path}/{id}/submit", null)).AssertJson();
        await (await bureau.PostAsync($"/v1/review/{path}/{id}/verify", null)).AssertJson();
        return id;
    }
}
