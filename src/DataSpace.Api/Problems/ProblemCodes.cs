namespace DataSpace.Api.Problems;

/// <summary>Stable machine-readable <c>code</c> values of RFC 9457 problems. Clients switch on these, so they never change.</summary>
internal static class ProblemCodes
{
    public const string ValidationFailed = "validation_failed";
    public const string MalformedJson = "malformed_json";
    public const string BadRequest = "bad_request";
    public const string AuthenticationRequired = "authentication_required";
    public const string InvalidToken = "invalid_token";
    public const string InsufficientScope = "insufficient_scope";
    public const string RoleRequired = "role_required";
    public const string Forbidden = "forbidden";
    public const string NotFound = "not_found";
    public const string MethodNotAllowed = "method_not_allowed";
    public const string PayloadTooLarge = "payload_too_large";
    public const string UnsupportedMediaType = "unsupported_media_type";
    public const string Conflict = "conflict";
    public const string InternalError = "internal_error";
    public const string DatabaseUnavailable = "database_unavailable";
    public const string ServiceUnavailable = "service_unavailable";
    public const string NotReady = "not_ready";

    public const string OrganizationNotFound = "organization_not_found";
    public const string OrganizationExists = "organization_exists";
    public const string ClientNotFound = "client_not_found";
    public const string InvalidCursor = "invalid_cursor";

    public static string ForStatus(int status) => status switch
    {
        StatusCodes.Status400BadRequest => BadRequest,
        StatusCodes.Status401Unauthorized => AuthenticationRequired,
        StatusCodes.Status403Forbidden => Forbidden,
        StatusCodes.Status404NotFound => NotFound,
        StatusCodes.Status405MethodNotAllowed => MethodNotAllowed,
        StatusCodes.Status409Conflict => Conflict,
        StatusCodes.Status413PayloadTooLarge => PayloadTooLarge,
        StatusCodes.Status415UnsupportedMediaType => UnsupportedMediaType,
        StatusCodes.Status503ServiceUnavailable => ServiceUnavailable,
        >= 500 => InternalError,
        _ => "http_" + status.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
