using DataSpace.Api.Auth;
using Microsoft.AspNetCore.Authorization;
using Microsoft.OpenApi;

namespace DataSpace.Api.OpenApi;

/// <summary>
/// Documents a body the endpoint reads by hand (bounded, with its own error handling), for the OpenAPI document.
/// Accepts&lt;T&gt; would make routing answer a wrong content type with 415 before that handling runs.
/// </summary>
internal sealed record DocumentedBody(Type Type, string ContentType = "application/x-www-form-urlencoded");

/// <summary>Documents a raw body streamed by hand (a file upload): binary, of any declared media type.</summary>
internal sealed record BinaryBody(string Description);

internal static class OpenApiSetup
{
    public const string SchemeName = "oauth2";

    public static IServiceCollection AddDataSpaceOpenApi(this IServiceCollection services) =>
        services.AddOpenApi("v1", options =>
        {
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info = new OpenApiInfo
                {
                    Title = "DataSpace API",
                    Version = "v1",
                    Description = """
                        The trusted data space and dataset marketplace (可信数据空间与数据集市场) of the city AI empowerment platform.

                        **Authenticate** with OAuth 2.0 client credentials (RFC 6749 §4.4): `POST /connect/token` with
                        `grant_type=client_credentials` and your client id and secret (HTTP Basic or form fields), then send
                        `Authorization: Bearer ACCESS_TOKEN` on every call. Tokens are opaque and revocable at once
                        (`POST /connect/revocation`). The server metadata is at `/.well-known/oauth-authorization-server`
                        (RFC 8414), not at `/.well-known/openid-configuration`: OpenID-first clients such as openid-client
                        must be told to use RFC 8414 discovery (openid-client: `discovery(url, id, secret, undefined, { algorithm: 'oauth2' })`).

                        **Conventions**: every error is an RFC 9457 problem (`application/problem+json`) with a stable `code`;
                        JSON members are snake_case and unknown members are refused (`unknown_member`); money is integer fen
                        (1 CNY = 100 fen); times are RFC 3339 with offset; periods are Asia/Shanghai days. Every list answers
                        `{items, next_cursor}` with `limit` 1–100 (default 50) and an opaque `cursor`.
                        """,
                    License = new OpenApiLicense { Name = "Proprietary: the platform operator's terms of use", Identifier = "LicenseRef-DataSpace-Terms" },
                };

                document.Tags = new HashSet<OpenApiTag>(Tags.Select(t => new OpenApiTag { Name = t.Name, Description = t.Description }));

                // The build-time and the served documents must be identical (a test compares them), so no request-specific
                // servers: the API is relative to wherever the document was fetched from.
                document.Servers = [new OpenApiServer { Url = "/", Description = "The server that serves this document" }];
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes[SchemeName] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.OAuth2,
                    Description = "OAuth 2.0 client credentials (RFC 6749 §4.4) at /connect/token, client_secret_basic or client_secret_post; " +
                        "opaque bearer tokens. Ask for the scopes your calls need (space-separated); a client gets at most the scopes the operator gave it.",
                    Flows = new OpenApiOAuthFlows
                    {
                        ClientCredentials = new OpenApiOAuthFlow
                        {
                            TokenUrl = new Uri("/connect/token", UriKind.Relative),
                            Scopes = Scopes.All.ToDictionary(s => s, s => $"the {s} scope"),
                        },
                    },
                };
                return Task.CompletedTask;
            });
            options.AddOperationTransformer(async (operation, context, ct) =>
            {
                // Form bodies are read by hand (bounded, OAuth errors), so describe them here rather than with
                // Accepts<T>, whose content-type matching would answer 415 before the OAuth error handling runs.
                if (context.Description.ActionDescriptor.EndpointMetadata.OfType<Http.IdempotentMetadata>().FirstOrDefault() is { } idempotent)
                {
                    operation.Parameters ??= [];
                    operation.Parameters.Add(new OpenApiParameter
                    {
                        Name = Http.Idempotency.Header,
                        In = ParameterLocation.Header,
                        Required = idempotent.Required,
                        Description = "A unique key (e.g. a UUID) for this write; a retry with the same key returns the first result (Idempotent-Replayed: true).",
                        Schema = new OpenApiSchema { Type = JsonSchemaType.String, MaxLength = 200 },
                    });
                }

                if (context.Description.ActionDescriptor.EndpointMetadata.OfType<BinaryBody>().FirstOrDefault() is { } binary)
                {
                    operation.RequestBody = new OpenApiRequestBody
                    {
                        Required = true,
                        Description = binary.Description,
                        Content = new Dictionary<string, OpenApiMediaType>
                        {
                            ["application/octet-stream"] = new() { Schema = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary" } },
                            ["*/*"] = new() { Schema = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary" } },
                        },
                    };
                }

                if (context.Description.ActionDescriptor.EndpointMetadata.OfType<DocumentedBody>().FirstOrDefault() is { } form)
                {
                    operation.RequestBody = new OpenApiRequestBody
                    {
                        Required = true,
                        Content = new Dictionary<string, OpenApiMediaType>
                        {
                            [form.ContentType] = new() { Schema = await context.GetOrCreateSchemaAsync(form.Type, null, ct) },
                        },
                    };
                }
            });
            options.AddOperationTransformer(async (operation, context, ct) =>
            {
                var metadata = context.Description.ActionDescriptor.EndpointMetadata;
                if (metadata.OfType<IAllowAnonymous>().Any() || !metadata.OfType<IAuthorizeData>().Any())
                {
                    // Stated, not left out: an empty requirement says this operation needs no token.
                    operation.Security = [new OpenApiSecurityRequirement()];
                    return;
                }

                operation.Security ??= [];
                operation.Security.Add(new OpenApiSecurityRequirement
                {
                    [new OpenApiSecuritySchemeReference(SchemeName, context.Document)] = [],
                });

                // Every protected operation can answer 401 (no or bad token) and 403 (role or scope missing).
                var problem = await context.GetOrCreateSchemaAsync(typeof(Microsoft.AspNetCore.Mvc.ProblemDetails), null, ct);
                operation.Responses ??= [];
                operation.Responses.TryAdd("401", ProblemResponse("No valid access token (code authentication_required or invalid_token)", problem));
                operation.Responses.TryAdd("403", ProblemResponse("The organisation lacks the role (role_required) or the token the scope (insufficient_scope)", problem));
            });
            // Each problem response with the codes the operation answers there.
            options.AddProblemCatalog();
            // Last: it completes the bodies and parameters the transformers above declared.
            options.AddContractDocs();
        });

    /// <summary>The tags in the order a newcomer needs them: OAuth first.</summary>
    private static readonly (string Name, string Description)[] Tags =
    [
        ("OAuth", "Get an access token with client credentials, introspect or revoke it, and read the RFC 8414 server metadata."),
        ("Organizations", "Organisations with their unified social credit code (统一社会信用代码) and roles; /me is the caller's own."),
        ("Clients", "API clients of an organisation (operator): the secret is shown once."),
        ("Datasets", "Register, describe, publish, withdraw and delete draft datasets, with provenance and the three rights of 数据二十条."),
        ("Versions", "Immutable versions: open a draft, stream files in, commit a manifest."),
        ("Downloads", "Files and their Parquet renditions: HEAD, byte ranges, strong ETags, Content-Digest; every GET is metered."),
        ("Catalog", "Find published datasets."),
        ("Terms", "A dataset's data use agreement (数据使用协议) and its acceptances."),
        ("Orders", "Plans, orders, payments, refunds and the entitlements paid orders open."),
        ("Revenue", "A source unit's revenue ledger by month (Asia/Shanghai)."),
        ("Usage", "Download metering, for consumers and owners."),
        ("Consents", "Consents (授权) of source units to authorities, and authorities' requests for them (management measures Art. 11)."),
        ("Authority", "What an authority may read of a unit, under its consent."),
        ("Rewards", "Corpus rewards (语料奖励): policies, runs over a period, approval and exports (data bureau)."),
        ("Data assets", "Data asset registration (数据资产入表, 财会〔2023〕11号): valuations and exchange registrations."),
        ("DCMM certificates", "DCMM certificates (数据管理能力成熟度, GB/T 36073) and their evidence."),
        ("Data-space pilots", "Trusted-data-space pilots (可信数据空间试点) and their evidence."),
        ("Review", "The data bureau's review queues: verify or return submitted records."),
        ("Record policies", "The amounts of DCMM rewards and asset-assessment fee subsidies (data bureau)."),
        ("Exports", "Reward and subsidy lists as csv (UTF-8 with BOM), xlsx or json (data bureau)."),
        ("Audit", "The append-only audit chain, its verification and signed public checkpoints."),
        ("Health", "Liveness and readiness probes."),
    ];

    private static OpenApiResponse ProblemResponse(string description, IOpenApiSchema schema) => new()
    {
        Description = description,
        Content = new Dictionary<string, OpenApiMediaType> { ["application/problem+json"] = new() { Schema = schema } },
    };
}
