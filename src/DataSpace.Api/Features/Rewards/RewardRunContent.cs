using System.Buffers;
using System.Security.Cryptography;
using System.Text.Json;
using DataSpace.Api.Http;
using DataSpace.Contracts.Rewards;
using DataSpace.Usage.Rewards;

namespace DataSpace.Api.Features.Rewards;

/// <summary>
/// A run's canonical content, which its SHA-256 covers: JSON Lines (UTF-8, one compact JSON object per line, <c>\n</c>
/// after each) — first the run's <see cref="Header"/>, then every line in the order computed, then every unit total.
/// The jsonl export is exactly these bytes, so anybody checks an approved run with <c>sha256sum</c>. The same writer hashes
/// the content while the lines are copied into the database and renders the export, so the two cannot drift apart.
/// </summary>
internal sealed class RewardRunContent : IDisposable
{
    /// <summary>What the content says of the run as a whole.</summary>
    public sealed record Header(string RunId, string PolicyId, DateOnly PeriodFrom, DateOnly PeriodTo, int UnitsInProgramme, int UnitsNotConsenting,
        long TotalFen, int LineCount, int UnitCount);

    private readonly ArrayBufferWriter<byte> _buffer = new(4096);
    private readonly IncrementalHash _sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly Utf8JsonWriter _writer;

    public RewardRunContent() => _writer = new Utf8JsonWriter(_buffer, WriterOptions);

    /// <summary>The API's own JSON text rules (its encoder: Chinese stays UTF-8, not \u escapes), for writers the serializer is handed.</summary>
    public static readonly JsonWriterOptions WriterOptions = new() { Encoder = Json.Options.Encoder };

    /// <summary>Appends one JSON line to the hash and returns its bytes (valid until the next call).</summary>
    public ReadOnlyMemory<byte> Add<T>(T value)
    {
        _buffer.ResetWrittenCount();
        _writer.Reset(_buffer);
        JsonSerializer.Serialize(_writer, value, Json.Options);
        _writer.Flush();
        _buffer.Write("\n"u8);
        _sha256.AppendData(_buffer.WrittenSpan);
        return _buffer.WrittenMemory;
    }

    /// <summary>
    /// Appends one stored line of the run (read back as the contract) and returns its bytes (valid until the next call):
    /// exactly the bytes <see cref="Add{T}"/> writes for it. RewardRunContentTests compares them: runs approved before these
    /// writers existed were hashed with the serializer.
    /// </summary>
    public ReadOnlyMemory<byte> Add(RewardRunLine line)
    {
        var w = Begin();
        WriteHead(w, line.UnitId, line.UnitName, line.DatasetId, line.DatasetTitle, line.RevenueFen);
        foreach (var c in line.Criteria)
        {
            WriteCriterion(w, c.Criterion, c.Evidence, c.Threshold, c.Passed, c.ReasonCode, c.CertificateNumber);
        }

        WriteTail(w, line.Qualified, line.RewardBeforeCapsFen, line.AfterDatasetCapFen, line.RewardFen, line.ReasonCode);
        return End();
    }

    /// <summary>
    /// Appends one line as the calculator computed it, with the names people read, and returns its bytes: the same bytes as
    /// the line read back (<see cref="Add(RewardRunLine)"/>), without building the contract's objects for 100,000 lines.
    /// </summary>
    public ReadOnlyMemory<byte> Add(Guid unitId, string unitName, Guid datasetId, string datasetTitle, RewardLine line)
    {
        var w = Begin();
        WriteHead(w, unitId, unitName, datasetId, datasetTitle, line.RevenueFen);
        // The order of RewardLine.Criteria, without the list.
        Write(w, line.CommittedFiles);
        Write(w, line.LatestVersionBytes);
        Write(w, line.VersionsInPeriod);
        Write(w, line.PayingConsumers);
        Write(w, line.LatestVersionRows);
        Write(w, line.Completeness);
        Write(w, line.ListingCertificate);
        WriteTail(w, line.Qualified, line.RewardBeforeCapsFen, line.AfterDatasetCapFen, line.RewardFen, line.ReasonCode);
        return End();

        static void Write(Utf8JsonWriter w, CriterionResult? c)
        {
            if (c is not null)
            {
                WriteCriterion(w, c.Criterion, c.Evidence, c.Threshold, c.Passed, c.ReasonCode, c.Reference);
            }
        }
    }

    private Utf8JsonWriter Begin()
    {
        _buffer.ResetWrittenCount();
        _writer.Reset(_buffer);
        return _writer;
    }

    private ReadOnlyMemory<byte> End()
    {
        _writer.Flush();
        _buffer.Write("\n"u8);
        _sha256.AppendData(_buffer.WrittenSpan);
        return _buffer.WrittenMemory;
    }

    // A Guid is written as its ToString() text (lower-case, hyphens), which is what the contract carries.
    private static void WriteHead(Utf8JsonWriter w, Guid unitId, string unitName, Guid datasetId, string datasetTitle, long revenueFen)
    {
        Span<char> unit = stackalloc char[36];
        Span<char> dataset = stackalloc char[36];
        unitId.TryFormat(unit, out _);
        datasetId.TryFormat(dataset, out _);
        WriteHead(w, unit, unitName, dataset, datasetTitle, revenueFen);
    }

    private static void WriteHead(Utf8JsonWriter w, ReadOnlySpan<char> unitId, string unitName, ReadOnlySpan<char> datasetId, string datasetTitle, long revenueFen)
    {
        w.WriteStartObject();
        w.WriteString(Names.UnitId, unitId);
        w.WriteString(Names.UnitName, unitName);
        w.WriteString(Names.DatasetId, datasetId);
        w.WriteString(Names.DatasetTitle, datasetTitle);
        w.WriteNumber(Names.RevenueFen, revenueFen);
        w.WriteStartArray(Names.Criteria);
    }

    private static void WriteCriterion(Utf8JsonWriter w, string criterion, long evidence, long threshold, bool passed, string reasonCode, string? certificateNumber)
    {
        w.WriteStartObject();
        w.WriteString(Names.Criterion, criterion);
        w.WriteNumber(Names.Evidence, evidence);
        w.WriteNumber(Names.Threshold, threshold);
        w.WriteBoolean(Names.Passed, passed);
        w.WriteString(Names.ReasonCode, reasonCode);
        if (certificateNumber is not null)
        {
            w.WriteString(Names.CertificateNumber, certificateNumber);
        }

        w.WriteEndObject();
    }

    private static void WriteTail(Utf8JsonWriter w, bool qualified, long beforeCapsFen, long afterDatasetCapFen, long rewardFen, string reasonCode)
    {
        w.WriteEndArray();
        w.WriteBoolean(Names.Qualified, qualified);
        w.WriteNumber(Names.RewardBeforeCapsFen, beforeCapsFen);
        w.WriteNumber(Names.AfterDatasetCapFen, afterDatasetCapFen);
        w.WriteNumber(Names.RewardFen, rewardFen);
        w.WriteString(Names.ReasonCode, reasonCode);
        w.WriteEndObject();
    }

    /// <summary>The members' JSON names under the API's naming policy, encoded once.</summary>
    private static class Names
    {
        public static readonly JsonEncodedText UnitId = Of(nameof(RewardRunLine.UnitId));
        public static readonly JsonEncodedText UnitName = Of(nameof(RewardRunLine.UnitName));
        public static readonly JsonEncodedText DatasetId = Of(nameof(RewardRunLine.DatasetId));
        public static readonly JsonEncodedText DatasetTitle = Of(nameof(RewardRunLine.DatasetTitle));
        public static readonly JsonEncodedText RevenueFen = Of(nameof(RewardRunLine.RevenueFen));
        public static readonly JsonEncodedText Criteria = Of(nameof(RewardRunLine.Criteria));
        public static readonly JsonEncodedText Qualified = Of(nameof(RewardRunLine.Qualified));
        public static readonly JsonEncodedText RewardBeforeCapsFen = Of(nameof(RewardRunLine.RewardBeforeCapsFen));
        public static readonly JsonEncodedText AfterDatasetCapFen = Of(nameof(RewardRunLine.AfterDatasetCapFen));
        public static readonly JsonEncodedText RewardFen = Of(nameof(RewardRunLine.RewardFen));
        public static readonly JsonEncodedText ReasonCode = Of(nameof(RewardRunLine.ReasonCode));
        public static readonly JsonEncodedText Criterion = Of(nameof(RewardCriterion.Criterion));
        public static readonly JsonEncodedText Evidence = Of(nameof(RewardCriterion.Evidence));
        public static readonly JsonEncodedText Threshold = Of(nameof(RewardCriterion.Threshold));
        public static readonly JsonEncodedText Passed = Of(nameof(RewardCriterion.Passed));
        public static readonly JsonEncodedText CertificateNumber = Of(nameof(RewardCriterion.CertificateNumber));

        private static JsonEncodedText Of(string member) => JsonEncodedText.Encode(Json.Options.PropertyNamingPolicy!.ConvertName(member), Json.Options.Encoder);
    }

    /// <summary>The SHA-256 (lower-case hex) of everything added.</summary>
    public string Sha256() => Convert.ToHexStringLower(_sha256.GetHashAndReset());

    public void Dispose()
    {
        _writer.Dispose();
        _sha256.Dispose();
    }
}
