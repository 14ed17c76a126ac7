using System.Buffers;
using System.Security.Cryptography;
using System.Text.Json;
using DataSpace.Api.Http;
using DataSpace.Contracts.Rewards;

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

    /// <summary>The SHA-256 (lower-case hex) of everything added.</summary>
    public string Sha256() => Convert.ToHexStringLower(_sha256.GetHashAndReset());

    public void Dispose()
    {
        _writer.Dispose();
        _sha256.Dispose();
    }
}
