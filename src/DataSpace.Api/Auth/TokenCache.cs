using System.Collections.Concurrent;
using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace DataSpace.Api.Auth;

/// <summary>Settings of the in-process token cache (section TokenCache).</summary>
internal sealed class TokenCacheOptions
{
    public const string Section = "TokenCache";

    /// <summary>TokenCache__Enabled: false validates every request against the database, as before the cache.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Most tokens held (TokenCache__MaxEntries); when full, further tokens are validated against the database.</summary>
    [Range(1, 10_000_000, ErrorMessage = "Set TokenCache:MaxEntries between 1 and 10000000.")]
    public int MaxEntries { get; set; } = 50_000;

    /// <summary>
    /// How long an instance may use its cache after its last acknowledged heartbeat (TokenCache__Lease). It bounds how
    /// long a revocation waits for an instance that has stopped answering; heartbeats run four times per lease.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.200", "00:01:00", ErrorMessage = "Set TokenCache:Lease between 00:00:00.200 and 00:01:00.")]
    public TimeSpan Lease { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Longest an entry is kept even when its token lives longer (TokenCache__MaxEntryAge): defence in depth only.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00", ErrorMessage = "Set TokenCache:MaxEntryAge between 00:00:01 and 1.00:00:00.")]
    public TimeSpan MaxEntryAge { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Longest pause between attempts to listen again after the listening connection failed.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:05:00", ErrorMessage = "Set TokenCache:MaxReconnectDelay between 00:00:00.010 and 00:05:00.")]
    public TimeSpan MaxReconnectDelay { get; set; } = TimeSpan.FromSeconds(2);
}

/// <summary>The SHA-256 of an access token: the only form in which the cache (and the database) knows it.</summary>
internal readonly record struct TokenHash(UInt128 High, UInt128 Low)
{
    public static TokenHash Of(string token)
    {
        Span<byte> utf8 = stackalloc byte[Encoding.UTF8.GetMaxByteCount(token.Length)];
        var length = Encoding.UTF8.GetBytes(token, utf8);
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(utf8[..length], hash);
        CryptographicOperations.ZeroMemory(utf8);
        return From(hash);
    }

    public static TokenHash From(ReadOnlySpan<byte> sha256) => new(
        System.Buffers.Binary.BinaryPrimitives.ReadUInt128BigEndian(sha256),
        System.Buffers.Binary.BinaryPrimitives.ReadUInt128BigEndian(sha256[16..]));

    public byte[] ToBytes()
    {
        var bytes = new byte[32];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt128BigEndian(bytes, High);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt128BigEndian(bytes.AsSpan(16), Low);
        return bytes;
    }
}

/// <summary>What the cache can tell about itself, for tests and diagnostics (never the tokens).</summary>
internal sealed record TokenCacheDiagnostics(
    bool Listening, bool Usable, int Entries, long Hits, long Misses, long Bypasses, long Refused, long ListenStarts, long SeenEpoch);

/// <summary>
/// Validated access tokens, keyed by their SHA-256, kept coherent across instances by PostgreSQL LISTEN/NOTIFY
/// (migration 0020, <see cref="TokenCacheListener"/>, <see cref="TokenCacheFence"/>).
///
/// The design, and why "revoked counts from the very next request, on any instance" holds:
/// <list type="bullet">
/// <item>Only tokens that validated are cached; unknown, expired, revoked or disabled ones never are, so random tokens
/// cannot grow it, and the size is bounded (<see cref="TokenCacheOptions.MaxEntries"/>; when full, new tokens are not
/// cached). An entry lives until its token's expiry at the latest (by the API's clock).</item>
/// <item>The cache is used only while it is <see cref="Usable"/>: the listener is connected and registered, and its
/// lease (renewed by heartbeats, measured on the monotonic clock from before each heartbeat was sent, so it ends no
/// later than the lease the database holds) has not run out. Otherwise every request is validated against the
/// database. Losing the connection empties the cache; (re)starting to listen empties it again after LISTEN is in
/// effect, so a notification sent before we listened cannot be missed.</item>
/// <item>Triggers bump an epoch and NOTIFY in the revoking transaction; the listener drops the matching entries, then
/// acknowledges the epoch in its lease row. A heartbeat extends the lease only if the instance has acknowledged the
/// committed epoch (it reads the epoch row FOR SHARE, so it waits for a revocation in progress). After committing, the
/// revoking request waits until every live lease has acknowledged or run out (<see cref="TokenCacheFence"/>): after
/// that, no instance can answer from a stale entry.</item>
/// <item>A database read that raced with a revocation cannot re-insert the old state: an entry is inserted only if no
/// invalidation was applied since before the read (<see cref="Version"/>), under the same lock as invalidations.</item>
/// </list>
/// Trade-off: a revocation, client disable or role change answers after every instance has acknowledged (about a
/// round trip on a healthy cluster), and after at most one lease (2 s) when an instance has stopped answering. Changes
/// made outside the API (psql) are applied by every instance within milliseconds, but nothing waits for them.
/// </summary>
internal sealed class TokenCache(IOptions<TokenCacheOptions> options)
{
    private sealed record Entry(TokenStore.TokenState State, DateTimeOffset ValidUntil);

    private readonly ConcurrentDictionary<TokenHash, Entry> _entries = new();
    private readonly Lock _gate = new();
    private readonly TokenCacheOptions _options = options.Value;
    private int _count; // changed under _gate only
    private long _version;
    private bool _listening;
    private long _leaseDeadline; // a TimeProvider.System timestamp: monotonic, real time (never the test clock)
    private long _seenEpoch;
    private long _hits, _misses, _bypasses, _refused, _listenStarts;
    private DateTimeOffset _nextSweep;

    /// <summary>The monotonic timestamp <paramref name="span"/> after <paramref name="from"/> (both TimeProvider.System).</summary>
    public static long Deadline(long from, TimeSpan span) => from + (long)(span.TotalSeconds * TimeProvider.System.TimestampFrequency);

    /// <summary>Names this instance in token_cache_listeners.</summary>
    public Guid InstanceId { get; } = Guid.CreateVersion7();

    public bool Enabled => _options.Enabled;

    /// <summary>True while entries may be answered from: listening, registered, and within the lease.</summary>
    public bool Usable => Volatile.Read(ref _listening) && TimeProvider.System.GetTimestamp() < Volatile.Read(ref _leaseDeadline);

    /// <summary>Changes whenever entries are invalidated or the listener starts or stops; read it before a database lookup.</summary>
    public long Version => Volatile.Read(ref _version);

    /// <summary>The highest epoch whose invalidation has been applied.</summary>
    public long SeenEpoch => Volatile.Read(ref _seenEpoch);

    public TokenCacheDiagnostics Diagnostics => new(Volatile.Read(ref _listening), Usable, Volatile.Read(ref _count),
        Interlocked.Read(ref _hits), Interlocked.Read(ref _misses), Interlocked.Read(ref _bypasses), Interlocked.Read(ref _refused),
        Interlocked.Read(ref _listenStarts), SeenEpoch);

    /// <summary>The cached state of an active token, or null (not cached, expired, or the cache may not be used now).</summary>
    public TokenStore.TokenState? Find(TokenHash key, DateTimeOffset now)
    {
        if (!Usable)
        {
            Interlocked.Increment(ref _bypasses);
            return null;
        }

        if (_entries.TryGetValue(key, out var entry))
        {
            // An expired entry is a miss; Add replaces it and a sweep removes it (both under the lock, which keeps the count).
            if (entry.ValidUntil > now)
            {
                Interlocked.Increment(ref _hits);
                return entry.State;
            }
        }

        Interlocked.Increment(ref _misses);
        return null;
    }

    /// <summary>
    /// Caches an active token's state read from the database, unless an invalidation was applied since
    /// <paramref name="versionBeforeRead"/> (the read may predate it) or the cache may not be used now.
    /// </summary>
    public void Add(TokenHash key, TokenStore.TokenState state, long versionBeforeRead, DateTimeOffset now)
    {
        var validUntil = new DateTimeOffset(state.ExpiresAt, TimeSpan.Zero);
        if (now + _options.MaxEntryAge < validUntil)
        {
            validUntil = now + _options.MaxEntryAge;
        }

        if (!state.IsActiveAt(now) || validUntil <= now)
        {
            return;
        }

        lock (_gate)
        {
            if (_version != versionBeforeRead || !Usable)
            {
                return;
            }

            if (_count >= _options.MaxEntries && !_entries.ContainsKey(key))
            {
                SweepExpired(now);
                if (_count >= _options.MaxEntries)
                {
                    Interlocked.Increment(ref _refused);
                    return;
                }
            }

            var added = true;
            var entry = new Entry(state, validUntil);
            _entries.AddOrUpdate(key, entry, (_, _) =>
            {
                added = false;
                return entry;
            });
            if (added)
            {
                _count++;
            }
        }
    }

    /// <summary>Called when LISTEN is in effect and the lease row is written: start afresh.</summary>
    internal void StartListening(long epoch, long leaseDeadline)
    {
        lock (_gate)
        {
            ClearLocked();
            Volatile.Write(ref _seenEpoch, Math.Max(_seenEpoch, epoch));
            Volatile.Write(ref _leaseDeadline, leaseDeadline);
            Volatile.Write(ref _listening, true);
            Interlocked.Increment(ref _listenStarts);
        }
    }

    /// <summary>Called when the listening connection is lost or closed: empty, and bypass until listening again.</summary>
    internal void StopListening()
    {
        lock (_gate)
        {
            Volatile.Write(ref _listening, false);
            ClearLocked();
        }
    }

    /// <summary>A heartbeat acknowledged every committed epoch: the cache may be used until <paramref name="leaseDeadline"/>.</summary>
    internal void ExtendLease(long leaseDeadline)
    {
        lock (_gate)
        {
            if (_listening && leaseDeadline > _leaseDeadline)
            {
                Volatile.Write(ref _leaseDeadline, leaseDeadline);
            }
        }
    }

    /// <summary>Applies one notification payload (JSON: epoch, kind, ids); anything unreadable empties the cache.</summary>
    internal void Apply(string payload)
    {
        long epoch = 0;
        string? kind = null;
        HashSet<string> ids = new(StringComparer.Ordinal);
        try
        {
            using var json = JsonDocument.Parse(payload);
            epoch = json.RootElement.GetProperty("epoch").GetInt64();
            kind = json.RootElement.GetProperty("kind").GetString();
            foreach (var id in json.RootElement.GetProperty("ids").EnumerateArray())
            {
                ids.Add(id.GetString() ?? "");
            }
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            kind = null;
        }

        lock (_gate)
        {
            _version++;
            switch (kind)
            {
                case "token":
                    foreach (var hex in ids)
                    {
                        if (hex.Length == 64 && _entries.TryRemove(TokenHash.From(Convert.FromHexString(hex)), out _))
                        {
                            _count--;
                        }
                    }

                    break;
                case "client":
                    RemoveWhereLocked(e => ids.Contains(e.State.ClientId));
                    break;
                case "organization":
                    RemoveWhereLocked(e => ids.Contains(e.State.OrganizationId.ToString()));
                    break;
                default:
                    ClearLocked();
                    break;
            }

            if (epoch > _seenEpoch)
            {
                Volatile.Write(ref _seenEpoch, epoch);
            }
        }
    }

    private void RemoveWhereLocked(Func<Entry, bool> predicate)
    {
        foreach (var (key, entry) in _entries)
        {
            if (predicate(entry) && _entries.TryRemove(key, out _))
            {
                _count--;
            }
        }
    }

    private void SweepExpired(DateTimeOffset now)
    {
        if (now < _nextSweep)
        {
            return;
        }

        _nextSweep = now + TimeSpan.FromSeconds(1);
        RemoveWhereLocked(e => e.ValidUntil <= now);
    }

    private void ClearLocked()
    {
        _version++;
        _entries.Clear();
        Volatile.Write(ref _count, 0);
    }
}
