using System.Text.Json;
using DataSpace.Api.Auth;
using DataSpace.Api.Database;
using DataSpace.Api.Features.Audit;
using DataSpace.Api.Problems;
using DataSpace.Contracts.Records;
using DataSpace.Usage.Records;

namespace DataSpace.Api.Features.Records;

/// <summary>
/// The bureau's policies for record payments: DCMM reward amounts per level and the assessment-fee subsidy. The policy
/// texts give no amounts, so nothing is defaulted; each policy is a new version, never edited.
/// </summary>
internal static class RecordPolicyEndpoints
{
    public const string DcmmReward = "dcmm_reward";
    public const string AssetFeeSubsidy = "asset_fee_subsidy";

    public static IEndpointRouteBuilder MapRecordPolicyEndpoints(this IEndpointRouteBuilder app)
    {
        var dcmm = app.MapGroup("/v1/dcmm-reward-policies").WithTags("Record policies").RequireAuthorization(Policies.RecordsBureau);
        dcmm.MapPost("/", CreateDcmmAsync).WithName("CreateDcmmRewardPolicy")
            .WithSummary("Set the one-time DCMM reward per level (3, 4, 5) in fen, as a new policy version (bureau)")
            .Produces<DcmmRewardPolicy>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status400BadRequest);
        dcmm.MapGet("/current", async (RecordStore store, CancellationToken ct) =>
                await store.FindPolicyAsync(DcmmReward, null, ct) is { } row ? Results.Ok(Dcmm(row)) : NoPolicy("DCMM reward", "/v1/dcmm-reward-policies"))
            .WithName("GetCurrentDcmmRewardPolicy").WithSummary("The DCMM reward policy in force (the newest)")
            .Produces<DcmmRewardPolicy>()
            .ProducesProblem(StatusCodes.Status404NotFound);

        var fee = app.MapGroup("/v1/asset-fee-subsidy-policies").WithTags("Record policies").RequireAuthorization(Policies.RecordsBureau);
        fee.MapPost("/", CreateFeeAsync).WithName("CreateAssetFeeSubsidyPolicy")
            .WithSummary("Set the assessment-fee subsidy (rate in basis points of the fee, cap in fen per valuation), as a new policy version (bureau)")
            .Produces<AssetFeeSubsidyPolicy>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status400BadRequest);
        fee.MapGet("/current", async (RecordStore store, CancellationToken ct) =>
                await store.FindPolicyAsync(AssetFeeSubsidy, null, ct) is { } row ? Results.Ok(Fee(row)) : NoPolicy("assessment-fee subsidy", "/v1/asset-fee-subsidy-policies"))
            .WithName("GetCurrentAssetFeeSubsidyPolicy").WithSummary("The assessment-fee subsidy policy in force (the newest)")
            .Produces<AssetFeeSubsidyPolicy>()
            .ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    internal static ProblemHttpResult NoPolicy(string what, string path) =>
        Problem.NotFound(ProblemCodes.PolicyRequired, $"No {what} policy is set", $"The bureau sets one first: POST {path}.");

    private sealed record DcmmFields(long Level3Fen, long Level4Fen, long Level5Fen);

    private sealed record FeeFields(int RateBasisPoints, long CapFen, bool RequireListingCertificate = false);

    public static DcmmRewardPolicy Dcmm(RecordStore.PolicyRow row)
    {
        var f = JsonSerializer.Deserialize<DcmmFields>(row.Fields, Http.Json.Options)!;
        return new DcmmRewardPolicy(row.Id.ToString(), f.Level3Fen, f.Level4Fen, f.Level5Fen, Timestamps.Utc(row.CreatedAt));
    }

    public static AssetFeeSubsidyPolicy Fee(RecordStore.PolicyRow row)
    {
        var f = JsonSerializer.Deserialize<FeeFields>(row.Fields, Http.Json.Options)!;
        return new AssetFeeSubsidyPolicy(row.Id.ToString(), f.RateBasisPoints, f.CapFen, Timestamps.Utc(row.CreatedAt), f.RequireListingCertificate);
    }

    public static RecordPayments.DcmmAmounts Amounts(DcmmRewardPolicy p) => new(p.Level3Fen, p.Level4Fen, p.Level5Fen);

    private static async Task<IResult> CreateDcmmAsync(DcmmRewardPolicyRequest request, HttpContext http, RecordStore store, TimeProvider clock, CancellationToken ct)
    {
        var v = new Validation();
        foreach (var (field, value) in new[] { ("level3_fen", request.Level3Fen), ("level4_fen", request.Level4Fen), ("level5_fen", request.Level5Fen) })
        {
            if (value is not { } x || x < 0)
            {
                v.Add(field, "is required: the one-time reward for this level in fen, not negative (the bureau sets it; there is no default)");
            }
        }

        if (v.IsValid && (request.Level4Fen < request.Level3Fen || request.Level5Fen < request.Level4Fen))
        {
            v.Add("level4_fen", "levels must not pay less than a lower level (an upgrade pays the difference)");
        }

        if (!v.IsValid)
        {
            return v.ToProblem();
        }

        var fields = JsonSerializer.Serialize(new DcmmFields(request.Level3Fen!.Value, request.Level4Fen!.Value, request.Level5Fen!.Value), Http.Json.Options);
        var row = await store.CreatePolicyAsync(DcmmReward, fields, clock.GetUtcNow(), AuditActor.From(http), ct);
        return TypedResults.Created($"/v1/dcmm-reward-policies/{row.Id}", Dcmm(row));
    }

    private static async Task<IResult> CreateFeeAsync(AssetFeeSubsidyPolicyRequest request, HttpContext http, RecordStore store, TimeProvider clock, CancellationToken ct)
    {
        var v = new Validation();
        if (request.RateBasisPoints is not (>= 0 and <= DataSpace.Usage.BasisPoints.Whole))
        {
            v.Add("rate_basis_points", "is required: 0 to 10000 (basis points of the assessment fee)");
        }

        if (request.CapFen is not { } cap || cap < 0)
        {
            v.Add("cap_fen", "is required: the most one valuation earns, in fen, not negative");
        }

        if (!v.IsValid)
        {
            return v.ToProblem();
        }

        var fields = JsonSerializer.Serialize(new FeeFields(request.RateBasisPoints!.Value, request.CapFen!.Value, request.RequireListingCertificate ?? false), Http.Json.Options);
        var row = await store.CreatePolicyAsync(AssetFeeSubsidy, fields, clock.GetUtcNow(), AuditActor.From(http), ct);
        return TypedResults.Created($"/v1/asset-fee-subsidy-policies/{row.Id}", Fee(row));
    }
}
