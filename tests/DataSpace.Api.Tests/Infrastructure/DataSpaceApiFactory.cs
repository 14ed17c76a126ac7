using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using Dapper;
using DataSpace.Api.Auth;
using DataSpace.Api.Features.Organizations;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace DataSpace.Api.Tests.Infrastructure;

/// <summary>
/// The real API on a loopback Kestrel port, against its own PostgreSQL database (production migrations applied at start)
/// and its own Azurite container when `./dataspace test` started Azurite. Tokens come from the real /connect/token.
/// </summary>
public sealed class DataSpaceApiFactory : WebApplicationFactory<Program>, IAsyncLifetime
{
    private string _database = TestDatabase.NewName();
    private string _blobRoot = TestEnvironment.Scratch("blobs-" + Guid.NewGuid().ToString("N"));
    private bool _sharesState;
    private Credentials? _operator;

    private readonly List<Microsoft.AspNetCore.Hosting.IStartupFilter> _startupFilters = [];

    public DataSpaceApiFactory() => UseKestrel(0);

    private readonly Dictionary<string, string> _settings = new(StringComparer.Ordinal);
    private bool _fileSystemBlobs;

    /// <summary>The folder of the filesystem blob store, when this factory uses it.</summary>
    public string BlobRoot => _blobRoot;

    /// <summary>
    /// Uses the filesystem blob store even when Azurite runs, so a test can list every stored blob (both adapters are
    /// held to the same contract by the storage tests).
    /// </summary>
    public DataSpaceApiFactory WithFileSystemBlobs()
    {
        _fileSystemBlobs = true;
        return this;
    }

    /// <summary>Every blob file the filesystem store holds (temporary files included).</summary>
    /// <summary>The filesystem store's file holding a version file's content (latest stored copy), for tests that damage it.</summary>
    public async Task<string> BlobFileOfAsync(string datasetId, string path)
    {
        await using var conn = new Npgsql.NpgsqlConnection(ConnectionString);
        var key = await Dapper.SqlMapper.ExecuteScalarAsync<string>(conn, """
            select b.blob_key from version_files f join blobs b on b.sha256 = f.sha256 where f.dataset_id = @id and f.path = @path limit 1
            """, new { id = Guid.Parse(datasetId), path });
        return Path.Combine(BlobRoot, key!);
    }

    public IReadOnlyList<string> StoredBlobFiles() =>
        Directory.Exists(_blobRoot) ? Directory.GetFiles(_blobRoot, "*", SearchOption.AllDirectories).Where(f => !f.Contains(".probe", StringComparison.Ordinal)).ToList() : [];

    /// <summary>
    /// Runs against another fixture's database and blob store, as a second replica or a restarted process would; the other
    /// fixture owns them (creates and drops them), so dispose this one first.
    /// </summary>
    public DataSpaceApiFactory SharingStateOf(DataSpaceApiFactory other)
    {
        _database = other._database;
        _blobRoot = other._blobRoot;
        _fileSystemBlobs = other._fileSystemBlobs;
        BlobContainer = other.BlobContainer;
        _operator = other._operator;
        _sharesState = true;
        return this;
    }

    /// <summary>Overrides one configuration setting (applied after the defaults this factory sets).</summary>
    public DataSpaceApiFactory WithSetting(string key, string value)
    {
        _settings[key] = value;
        return this;
    }

    /// <summary>Adds middleware around the API's pipeline (for tests that need a misbehaving route).</summary>
    public DataSpaceApiFactory WithStartupFilter(Microsoft.AspNetCore.Hosting.IStartupFilter filter)
    {
        _startupFilters.Add(filter);
        return this;
    }

    public TestClock Clock { get; } = new();

    /// <summary>The payment webhook's shared secret in tests.</summary>
    public const string WebhookSecret = "whsec_test_中山_secret";

    public LogCapture Logs { get; } = new();

    public string ConnectionString => TestDatabase.ConnectionStringFor(_database);

    /// <summary>The container this fixture's blobs go to in Azurite (unique per fixture).</summary>
    public string BlobContainer { get; private set; } = "t" + Guid.NewGuid().ToString("N");

    public Uri BaseAddress => ClientOptions.BaseAddress;

    public async ValueTask InitializeAsync()
    {
        if (!_sharesState)
        {
            await TestDatabase.CreateAsync(_database);
        }

        StartServer();
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (_sharesState)
        {
            return;
        }

        await TestDatabase.DropAsync(_database);
        if (Directory.Exists(_blobRoot))
        {
            Directory.Delete(_blobRoot, recursive: true);
        }
    }

    /// <summary>
    /// The configuration this fixture's API runs with (database, blob store, keys, overrides); <see cref="ApiProcess"/>
    /// starts a separate API process with the same settings, as a replica of this one.
    /// </summary>
    public IReadOnlyList<KeyValuePair<string, string>> Settings()
    {
        var settings = new List<KeyValuePair<string, string>>();
        void Set(string key, string value) => settings.Add(new(key, value));

        // As deployed: the API as the application role, migrations (and grants) as the owner — here the superuser.
        Set("ConnectionStrings:DataSpace", TestDatabase.ApplicationConnectionStringFor(_database));
        Set("ConnectionStrings:Migrations", ConnectionString);
        Set("Payments:WebhookSecret", WebhookSecret);
        // The checkpoint key this fixture's API generates (a replica sharing its state shares the key, as it would).
        Set("Audit:Checkpoints:KeyFolder", _blobRoot + "-keys");
        if (!_fileSystemBlobs && TestEnvironment.AzuriteEndpoint is { } azurite)
        {
            Set("BlobStorage:AzureEndpoint", azurite);
            Set("BlobStorage:AccountName", TestEnvironment.AzuriteAccount);
            Set("BlobStorage:AccountKey", TestEnvironment.AzuriteKey);
            Set("BlobStorage:Container", BlobContainer);
        }
        else
        {
            Set("BlobStorage:FileSystemRoot", _blobRoot);
        }

        // The background scrub reads every blob back; tests that need it turn it on (ContentScrubTests), the rest stay quiet.
        Set("Integrity:Scrub", "false");
        // Paid datasets need a verified listing to be published; the listing tests (ListingApiFactory) turn the review on,
        // the rest publish paid datasets in one step as before the review existed.
        Set("Listings:ReviewRequired", "false");
        foreach (var (key, value) in _settings)
        {
            Set(key, value);
        }

        if (_settings.ContainsKey("BlobStorage:AzureEndpoint"))
        {
            Set("BlobStorage:AccountName", TestEnvironment.AzuriteAccount);
            Set("BlobStorage:AccountKey", TestEnvironment.AzuriteKey);
        }

        return settings;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        foreach (var (key, value) in Settings())
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureServices(services =>
        {
            services.AddSingleton<TimeProvider>(Clock);
            foreach (var filter in _startupFilters)
            {
                services.AddSingleton(filter);
            }
        });
        builder.ConfigureLogging(logging => logging.AddProvider(Logs).SetMinimumLevel(LogLevel.Trace));
    }

    /// <summary>
    /// The seed helper: the first operator organisation and client are written straight into the database, as
    /// `seeds/` does for `./dataspace up`; everything else a test needs it creates through the API with this operator.
    /// </summary>
    public async Task<Credentials> OperatorAsync()
    {
        if (_operator is not null)
        {
            return _operator;
        }

        var secret = "dss_test_" + Guid.NewGuid().ToString("N");
        var clientId = "test-operator-" + Guid.NewGuid().ToString("N")[..8];
        var orgId = Guid.CreateVersion7();
        await using var conn = new NpgsqlConnection(ConnectionString);
        await conn.ExecuteAsync("""
            insert into organizations (id, name, unified_social_credit_code, roles, created_at)
            values (@orgId, '中山市人工智能赋能平台运营中心（测试）', @uscc, array['operator'], now());
            insert into api_clients (client_id, organization_id, name, secret_sha256, scopes, created_at)
            values (@clientId, @orgId, 'test operator', @hash, @scopes, now());
            """, new { orgId, uscc = Uscc.Random(), clientId, hash = Secrets.Sha256(secret), scopes = Scopes.AllowedFor([Roles.Operator]).ToArray() });
        return _operator = new Credentials(orgId.ToString(), clientId, secret);
    }

    /// <summary>
    /// Waits (with a deadline) until no usage event of the dataset is in progress: the server finishes an event just
    /// after the client has its last byte, so tests wait for it instead of racing it.
    /// </summary>
    public async Task UsageEventsSettledAsync(string datasetId)
    {
        var deadline = DateTime.UtcNow.AddSeconds(120); // a hang detector, generous for a loaded machine
        await using var conn = new NpgsqlConnection(ConnectionString);
        while (DateTime.UtcNow < deadline && await conn.ExecuteScalarAsync<bool>(
            "select exists (select 1 from usage_events where dataset_id = @id and status = 'in_progress')", new { id = Guid.Parse(datasetId) }))
        {
            await Task.Delay(20);
        }
    }

    /// <summary>An HTTP client with no credentials.</summary>
    public HttpClient Anonymous() => CreateClient();

    /// <summary>An HTTP client carrying a fresh token for these credentials.</summary>
    public async Task<HttpClient> ClientFor(Credentials credentials, string? scope = null)
    {
        var token = await TokenAsync(credentials, scope);
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public async Task<HttpClient> OperatorClient() => await ClientFor(await OperatorAsync());

    public async Task<string> TokenAsync(Credentials credentials, string? scope = null)
    {
        using var http = CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/connect/token")
        {
            Content = new FormUrlEncodedContent(scope is null
                ? [new("grant_type", "client_credentials")]
                : [new("grant_type", "client_credentials"), new("scope", scope)]),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Uri.EscapeDataString(credentials.ClientId)}:{Uri.EscapeDataString(credentials.ClientSecret)}")));
        using var response = await http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
        return body.GetProperty("access_token").GetString()!;
    }

    /// <summary>Registers an organisation with these roles through the API, and a client with all scopes its roles allow.</summary>
    public async Task<Credentials> OrganizationAsync(string name, params string[] roles)
    {
        using var op = await OperatorClient();
        var created = await op.PostAsJsonAsync("/v1/organizations", new { name, unified_social_credit_code = Uscc.Random(), roles });
        created.EnsureSuccessStatusCode();
        var orgId = (await created.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("id").GetString()!;
        var client = await op.PostAsJsonAsync($"/v1/organizations/{orgId}/clients", new { name = name + " client" });
        client.EnsureSuccessStatusCode();
        var body = await client.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
        return new Credentials(orgId, body.GetProperty("client_id").GetString()!, body.GetProperty("client_secret").GetString()!);
    }
}

/// <summary>An organisation and one of its clients.</summary>
public sealed record Credentials(string OrganizationId, string ClientId, string ClientSecret);

/// <summary>Valid random 统一社会信用代码 for test data (the validity table uses fixed codes).</summary>
public static class Uscc
{
    public static string Random()
    {
        var chars = new char[17];
        chars[0] = '9';
        chars[1] = '1';
        const string division = "442000"; // 中山市
        division.CopyTo(0, chars, 2, 6);
        for (var i = 8; i < 17; i++)
        {
            chars[i] = UnifiedSocialCreditCode.Alphabet[System.Security.Cryptography.RandomNumberGenerator.GetInt32(UnifiedSocialCreditCode.Alphabet.Length)];
        }

        return new string(chars) + UnifiedSocialCreditCode.CheckCharacter(chars);
    }
}
