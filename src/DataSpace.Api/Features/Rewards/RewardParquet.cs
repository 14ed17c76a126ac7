using System.Globalization;
using DataSpace.Parquet;

namespace DataSpace.Api.Features.Rewards;

/// <summary>
/// A reward run as Parquet (snappy) for analysts: one row per dataset line, money as exact integer fen plus yuan as
/// DECIMAL(18,2); the run's header (period, status, content hash, policy, caps, total) as key-value metadata.
/// </summary>
internal static class RewardParquet
{
    private const int RowsPerGroup = 65_536;

    private static readonly ParquetColumn[] Schema =
    [
        new("unit_id", ParquetType.String, Nullable: false),
        new("unit_name", ParquetType.String, Nullable: false),
        new("unit_credit_code", ParquetType.String, Nullable: false),
        new("dataset_id", ParquetType.String, Nullable: false),
        new("dataset_title", ParquetType.String, Nullable: false),
        new("revenue_fen", ParquetType.Int64, Nullable: false),
        new("qualified", ParquetType.Boolean, Nullable: false),
        new("criteria", ParquetType.String, Nullable: false),
        new("before_caps_fen", ParquetType.Int64, Nullable: false),
        new("after_dataset_cap_fen", ParquetType.Int64, Nullable: false),
        new("reward_fen", ParquetType.Int64, Nullable: false),
        new("reward_yuan", ParquetType.Decimal, Nullable: false, Precision: 18, Scale: 2),
        new("reason_code", ParquetType.String, Nullable: false),
    ];

    public static async Task WriteAsync(RewardRunExport run, Stream output, CancellationToken ct)
    {
        var metadata = new Dictionary<string, string>
        {
            ["dataspace.export"] = "reward_run",
            ["dataspace.run_id"] = run.RunId,
            ["dataspace.period"] = $"{run.PeriodFrom:yyyy-MM-dd}/{run.PeriodTo:yyyy-MM-dd}",
            ["dataspace.status"] = run.Status,
            ["dataspace.content_sha256"] = run.ContentSha256 ?? "",
            ["dataspace.policy_id"] = run.PolicyId,
            ["dataspace.rate_basis_points"] = run.RateBasisPoints.ToString(CultureInfo.InvariantCulture),
            ["dataspace.dataset_cap_fen"] = run.DatasetCapFen.ToString(CultureInfo.InvariantCulture),
            ["dataspace.unit_cap_fen"] = run.UnitCapFen.ToString(CultureInfo.InvariantCulture),
            ["dataspace.cap_scope"] = run.CapScope,
            ["dataspace.total_fen"] = run.TotalFen.ToString(CultureInfo.InvariantCulture),
        };
        await using var writer = new ParquetWriter(output, Schema, new ParquetWriterOptions { RowGroupRows = RowsPerGroup, KeyValueMetadata = metadata }, leaveOpen: true);
        foreach (var l in run.Lines)
        {
            writer.Write(l.UnitId);
            writer.Write(l.UnitName);
            writer.Write(l.UnitCreditCode);
            writer.Write(l.DatasetId);
            writer.Write(l.DatasetTitle);
            writer.Write(l.RevenueFen);
            writer.Write(l.Qualified);
            writer.Write(l.CriteriaSummary);
            writer.Write(l.BeforeCapsFen);
            writer.Write(l.AfterDatasetCapFen);
            writer.Write(l.RewardFen);
            writer.Write(l.RewardFen / 100m);
            writer.Write(l.ReasonCode);
            await writer.EndRowAsync(ct);
        }

        await writer.CompleteAsync(ct);
    }
}
