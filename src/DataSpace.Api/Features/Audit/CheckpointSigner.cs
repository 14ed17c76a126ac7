using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;
using System.Text;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.EdEC;
using Org.BouncyCastle.Asn1.Pkcs;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.X509;

namespace DataSpace.Api.Features.Audit;

/// <summary>Audit checkpoints: the signing key and how often the chain is anchored.</summary>
[FeatureService]
internal sealed class CheckpointOptions
{
    public const string Section = "Audit:Checkpoints";

    /// <summary>
    /// The Ed25519 private key, a PKCS#8 PEM file (<c>openssl genpkey -algorithm ed25519 -out key.pem</c>), kept outside
    /// the database (Audit__Checkpoints__SigningKeyPath). Required outside Development and Testing.
    /// </summary>
    public string? SigningKeyPath { get; set; }

    /// <summary>
    /// The SM2 private key (curve SM2, PKCS#8 PEM: <c>openssl genpkey -algorithm SM2 -out sm2.pem</c>) that signs listing
    /// certificates beside the Ed25519 key (Audit__Checkpoints__Sm2SigningKeyPath). Required outside Development and Testing.
    /// </summary>
    public string? Sm2SigningKeyPath { get; set; }

    /// <summary>Where Development and Testing generate keys whose path is not set (file mode 600).</summary>
    public string KeyFolder { get; set; } = ".dataspace/keys";

    /// <summary>
    /// Public keys (SubjectPublicKeyInfo PEM files) of earlier signing keys: after a rotation, the last checkpoint an
    /// old key signed still anchors verification and the first checkpoint of the new key.
    /// </summary>
    public string[] RetiredPublicKeyPaths { get; set; } = [];

    /// <summary>How often a checkpoint is signed when the chain has grown (Audit__Checkpoints__Interval, default 00:10:00).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00", ErrorMessage = "Set Audit:Checkpoints:Interval between 00:00:01 and 7.00:00:00.")]
    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(10);
}

/// <summary>
/// Signs checkpoints with Ed25519 (RFC 8032). Ed25519 rather than ECDSA P-256: deterministic signatures (no per-signature
/// randomness to get wrong), small keys, and <c>openssl pkeyutl -verify -rawin</c> checks them over the exact message
/// bytes with no hashing convention to agree on. .NET 10 has no Ed25519 in the BCL, so this uses BouncyCastle.Cryptography
/// 2.7.0, which restores here (DEPENDENCIES.md). The key is a file the API reads at start; the database never sees it,
/// so whoever administers the database can rewrite events but cannot sign a checkpoint over the rewrite.
/// </summary>
[FeatureService]
internal sealed partial class CheckpointSigner
{
    private const string KeyFileName = "audit-checkpoint-ed25519.pem";

    private readonly Ed25519PrivateKeyParameters _private;

    public CheckpointSigner(Microsoft.Extensions.Options.IOptions<CheckpointOptions> options, IHostEnvironment environment, ILogger<CheckpointSigner> logger)
    {
        var o = options.Value;
        var path = ResolveKeyPath(o.SigningKeyPath, "Audit:Checkpoints:SigningKeyPath", KeyFileName, "openssl genpkey -algorithm ed25519", o, environment, logger, Generate);
        _private = Load(path);
        var publicKey = _private.GeneratePublicKey();
        var spki = SubjectPublicKeyInfoFactory.CreateSubjectPublicKeyInfo(publicKey).GetDerEncoded();
        PublicKeyPem = PemEncoding.WriteString("PUBLIC KEY", spki) + "\n";
        KeyId = Convert.ToHexStringLower(SHA256.HashData(spki));
        _trusted[KeyId] = publicKey;
        foreach (var retired in o.RetiredPublicKeyPaths)
        {
            var (id, key) = LoadPublic(retired);
            _trusted[id] = key;
        }
    }

    private readonly Dictionary<string, Ed25519PublicKeyParameters> _trusted = new(StringComparer.Ordinal);

    /// <summary>The public key as SubjectPublicKeyInfo PEM, what <c>openssl pkeyutl -pubin -inkey</c> reads.</summary>
    public string PublicKeyPem { get; }

    /// <summary>Hex SHA-256 of the public key's DER SubjectPublicKeyInfo.</summary>
    public string KeyId { get; }

    /// <summary>
    /// The key file to use: the configured one (which must exist), or in Development and Testing one generated under
    /// <see cref="CheckpointOptions.KeyFolder"/> on first start; elsewhere a missing setting stops the API at start.
    /// </summary>
    internal static string ResolveKeyPath(
        string? configured, string setting, string fileName, string create, CheckpointOptions o, IHostEnvironment environment, ILogger logger, Action<string> generate)
    {
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return File.Exists(configured) ? configured
                : throw new InvalidOperationException($"{setting} names {configured}, which does not exist: create it with `{create} -out {configured}` (mode 600).");
        }

        if (!environment.IsDevelopment() && !environment.IsEnvironment("Testing"))
        {
            throw new InvalidOperationException($"Set {setting} to a private key in PKCS#8 PEM ({create}), kept outside the database.");
        }

        var path = Path.Combine(o.KeyFolder, fileName);
        if (!File.Exists(path))
        {
            generate(path);
            LogGenerated(logger, path);
        }

        return path;
    }

    public byte[] Sign(byte[] message)
    {
        var signer = new Ed25519Signer();
        signer.Init(true, _private);
        signer.BlockUpdate(message, 0, message.Length);
        return signer.GenerateSignature();
    }

    /// <summary>Whether this key, or a retired one the API still trusts, knows <paramref name="keyId"/>.</summary>
    public bool Trusts(string keyId) => _trusted.ContainsKey(keyId);

    /// <summary>Checks a signature with the trusted key named <paramref name="keyId"/>; false for an unknown key.</summary>
    public bool Verify(string keyId, byte[] message, byte[] signature)
    {
        if (!_trusted.TryGetValue(keyId, out var key))
        {
            return false;
        }

        var verifier = new Ed25519Signer();
        verifier.Init(false, key);
        verifier.BlockUpdate(message, 0, message.Length);
        return verifier.VerifySignature(signature);
    }

    private static Ed25519PrivateKeyParameters Load(string path) =>
        LoadPrivateKey(path) as Ed25519PrivateKeyParameters ?? throw new InvalidOperationException($"{path} holds a private key that is not Ed25519.");

    /// <summary>Reads a PKCS#8 PEM private key file (any algorithm BouncyCastle knows).</summary>
    internal static Org.BouncyCastle.Crypto.AsymmetricKeyParameter LoadPrivateKey(string path)
    {
        var pem = File.ReadAllText(path, Encoding.ASCII);
        var fields = PemEncoding.Find(pem);
        if (pem.AsSpan()[fields.Label].ToString() != "PRIVATE KEY")
        {
            throw new InvalidOperationException($"{path} is not a PKCS#8 PEM private key (-----BEGIN PRIVATE KEY-----).");
        }

        return PrivateKeyFactory.CreateKey(Convert.FromBase64String(pem[fields.Base64Data]));
    }

    private static (string KeyId, Ed25519PublicKeyParameters Key) LoadPublic(string path)
    {
        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"Audit:Checkpoints:RetiredPublicKeyPaths names {path}, which does not exist.");
        }

        var pem = File.ReadAllText(path, Encoding.ASCII);
        var fields = PemEncoding.Find(pem);
        var der = Convert.FromBase64String(pem[fields.Base64Data]);
        if (pem.AsSpan()[fields.Label].ToString() != "PUBLIC KEY" || PublicKeyFactory.CreateKey(der) is not Ed25519PublicKeyParameters key)
        {
            throw new InvalidOperationException($"{path} is not an Ed25519 public key in SubjectPublicKeyInfo PEM (-----BEGIN PUBLIC KEY-----).");
        }

        return (Convert.ToHexStringLower(SHA256.HashData(der)), key);
    }

    private static void Generate(string path)
    {
        var generator = new Ed25519KeyPairGenerator();
        generator.Init(new Ed25519KeyGenerationParameters(new SecureRandom()));
        var pair = generator.GenerateKeyPair();
        // PKCS#8 v1 (RFC 8410), as `openssl genpkey` writes it: OpenSSL 3.0 refuses the v2 form with the public key inside.
        var der = new PrivateKeyInfo(new AlgorithmIdentifier(EdECObjectIdentifiers.id_Ed25519),
            new DerOctetString(((Ed25519PrivateKeyParameters)pair.Private).GetEncoded())).GetDerEncoded();
        WriteNewKeyFile(path, der);
    }

    /// <summary>
    /// Writes a new PKCS#8 PEM key file with mode 600 from the start, atomically: a replica starting at the same time keeps
    /// the first key. Shared by every platform signing key (audit checkpoints, listing certificates).
    /// </summary>
    internal static void WriteNewKeyFile(string path, byte[] pkcs8Der)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(folder);
        var name = Path.GetFileName(path);
        var temp = Path.Combine(folder, $".{name}.{Guid.NewGuid():N}.tmp");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var file = new FileStream(temp, options))
        {
            file.Write(Encoding.ASCII.GetBytes(PemEncoding.WriteString("PRIVATE KEY", pkcs8Der) + "\n"));
        }

        try
        {
            File.Move(temp, path, overwrite: false);
        }
        catch (IOException) when (File.Exists(path))
        {
            File.Delete(temp);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Generated a platform signing key at {Path} (Development/Testing only: set the key path settings of Audit:Checkpoints in production)")]
    private static partial void LogGenerated(ILogger logger, string path);
}
