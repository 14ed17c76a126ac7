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
                    Description = "The trusted data space and dataset marketplace of the city AI empowerment platform. " +
                        "Authenticate with OAuth 2.0 client credentials at POST /connect/token and send 'Authorization: Bearer <token>'. " +
                        "Every error is an RFC 9457 problem with a stable 'code'. JSON is snake_case; money is integer fen; times are RFC 3339 with offset.",
                };

                // The build-time and the served documents must be identical (a test compares them), so no request-specific servers.
                document.Servers = [];
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes[SchemeName] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.OAuth2,
                    Description = "OAuth 2.0 client credentials; opaque bearer tokens.",
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
        });

    private static OpenApiResponse ProblemResponse(string description, IOpenApiSchema schema) => new()
    {
        Description = description,
        Content = new Dictionary<string, OpenApiMediaType> { ["application/problem+json"] = new() { Schema = schema } },
    };
}
