using System.Security.Cryptography;
using System.Text;
using DataSpace.Api.Features.Audit;
using Org.BouncyCastle.Asn1.GM;
using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using Org.BouncyCastle.Pkcs;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.X509;

namespace DataSpace.Api.Features.Certificates;

/// <summary>
/// The platform's SM2 key (GB/T 32918, curve sm2p256v1), which signs listing certificates with SM3 beside the Ed25519
/// checkpoint key (<see cref="CheckpointSigner"/>): the same key management (a PKCS#8 file outside the database, generated
/// only in Development and Testing). Signatures are DER (r, s) over SM3(Z ‖ message) with the distinguishing ID
/// <see cref="DistinguishingId"/>, the GB/T 35276 default BouncyCastle uses; OpenSSL 3.0's pkeyutl defaults to an empty
/// ID, so verifiers pass it: <c>openssl pkeyutl -verify -pubin -inkey sm2.pub -rawin -digest sm3 -pkeyopt distid:1234567812345678</c>.
/// </summary>
internal sealed class Sm2Signer
{
    public const string DistinguishingId = "1234567812345678";
    private const string KeyFileName = "listing-certificate-sm2.pem";

    private readonly ECPrivateKeyParameters _private;
    private readonly ECPublicKeyParameters _public;

    public Sm2Signer(Microsoft.Extensions.Options.IOptions<CheckpointOptions> options, IHostEnvironment environment, ILogger<Sm2Signer> logger)
    {
        var o = options.Value;
        var path = CheckpointSigner.ResolveKeyPath(o.Sm2SigningKeyPath, "Audit:Checkpoints:Sm2SigningKeyPath", KeyFileName, "openssl genpkey -algorithm SM2", o,
            environment, logger, Generate);
        _private = CheckpointSigner.LoadPrivateKey(path) as ECPrivateKeyParameters
            ?? throw new InvalidOperationException($"{path} holds a private key that is not an SM2 (EC) key.");
        var curve = GMNamedCurves.GetByOid(GMObjectIdentifiers.sm2p256v1);
        if (!_private.Parameters.Curve.Equals(curve.Curve))
        {
            throw new InvalidOperationException($"{path} holds an EC key that is not on the SM2 curve (openssl genpkey -algorithm SM2).");
        }

        _public = new ECPublicKeyParameters(_private.Parameters.G.Multiply(_private.D).Normalize(), new ECNamedDomainParameters(GMObjectIdentifiers.sm2p256v1, curve));
        var spki = SubjectPublicKeyInfoFactory.CreateSubjectPublicKeyInfo(_public).GetDerEncoded();
        PublicKeyPem = PemEncoding.WriteString("PUBLIC KEY", spki) + "\n";
        KeyId = Convert.ToHexStringLower(SHA256.HashData(spki));
    }

    /// <summary>SubjectPublicKeyInfo PEM (id-ecPublicKey, sm2p256v1), what <c>openssl pkeyutl -pubin -inkey</c> reads.</summary>
    public string PublicKeyPem { get; }

    /// <summary>Hex SHA-256 of the public key's DER SubjectPublicKeyInfo.</summary>
    public string KeyId { get; }

    public byte[] Sign(byte[] message)
    {
        var signer = new SM2Signer(new SM3Digest());
        signer.Init(true, new ParametersWithID(new ParametersWithRandom(_private, new SecureRandom()), Encoding.ASCII.GetBytes(DistinguishingId)));
        signer.BlockUpdate(message, 0, message.Length);
        return signer.GenerateSignature();
    }

    public bool Verify(byte[] message, byte[] signature)
    {
        var verifier = new SM2Signer(new SM3Digest());
        verifier.Init(false, new ParametersWithID(_public, Encoding.ASCII.GetBytes(DistinguishingId)));
        verifier.BlockUpdate(message, 0, message.Length);
        return verifier.VerifySignature(signature);
    }

    private static void Generate(string path)
    {
        var generator = new ECKeyPairGenerator("EC");
        generator.Init(new ECKeyGenerationParameters(GMObjectIdentifiers.sm2p256v1, new SecureRandom()));
        var pair = generator.GenerateKeyPair();
        CheckpointSigner.WriteNewKeyFile(path, PrivateKeyInfoFactory.CreatePrivateKeyInfo(pair.Private).GetDerEncoded());
    }
}
