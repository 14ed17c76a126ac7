namespace DataSpace.Api.Features.Tokens;

/// <summary>
/// The <c>error</c> values of the OAuth endpoints' bodies (RFC 6749 §5.2, RFC 7009 §2.2.1): the token endpoints answer
/// with these, not with RFC 9457 problems, because OAuth clients switch on them. Fixed by the RFCs; never renamed.
/// </summary>
internal static class OAuthErrorCodes
{
    public const string InvalidRequest = "invalid_request";
    public const string InvalidClient = "invalid_client";
    public const string InvalidScope = "invalid_scope";
    public const string UnsupportedGrantType = "unsupported_grant_type";
    public const string UnsupportedTokenType = "unsupported_token_type";
}
