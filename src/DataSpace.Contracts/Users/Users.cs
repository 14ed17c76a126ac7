namespace DataSpace.Contracts.Users;

/// <summary>Creates a user of an organisation: the operator creates an organisation's first admin this way.</summary>
public sealed record CreateUserRequest
{
    /// <summary>The e-mail address the person signs in with; one account per address on the platform.</summary>
    public string? Email { get; init; }

    /// <summary>The name the console shows, 1–100 characters.</summary>
    public string? DisplayName { get; init; }

    /// <summary>admin, editor, reviewer or viewer: which of the organisation's scopes the person's sessions carry.</summary>
    public string? ConsoleRole { get; init; }

    /// <summary>An initial password of 12–200 characters; omitted, the server generates one and shows it once.</summary>
    public string? Password { get; init; }
}

/// <summary>An organisation's admin invites a person into the organisation; the server generates the initial password.</summary>
public sealed record InviteUserRequest
{
    /// <summary>The e-mail address the person signs in with; one account per address on the platform.</summary>
    public string? Email { get; init; }

    /// <summary>The name the console shows, 1–100 characters.</summary>
    public string? DisplayName { get; init; }

    /// <summary>admin, editor, reviewer or viewer.</summary>
    public string? ConsoleRole { get; init; }
}

/// <summary>A person who signs in to the web console.</summary>
/// <param name="Id">The user id (audit events name it as the actor).</param>
/// <param name="OrganizationId">The one organisation the person belongs to.</param>
/// <param name="Email">The sign-in address (lower case).</param>
/// <param name="DisplayName">The name the console shows.</param>
/// <param name="ConsoleRole">admin, editor, reviewer or viewer.</param>
/// <param name="Scopes">The scopes the person's sessions carry: the role's scopes that the organisation's roles allow.</param>
/// <param name="CreatedAt">When the account was created.</param>
/// <param name="RemovedAt">When an admin removed the person, if they did; every session ended at that moment.</param>
public sealed record UserAccount(
    string Id,
    string OrganizationId,
    string Email,
    string DisplayName,
    string ConsoleRole,
    IReadOnlyList<string> Scopes,
    DateTimeOffset CreatedAt,
    DateTimeOffset? RemovedAt);

/// <summary>A newly created user, with the initial password when the server generated it (shown only in this response).</summary>
/// <param name="User">The account.</param>
/// <param name="InitialPassword">The generated password to hand to the person; null when the request set one.</param>
public sealed record CreatedUser(UserAccount User, string? InitialPassword);

/// <summary>Signs a person in to the web console.</summary>
public sealed record SignInRequest
{
    /// <summary>The account's e-mail address.</summary>
    public string? Email { get; init; }

    /// <summary>The password.</summary>
    public string? Password { get; init; }

    /// <summary>
    /// The 6-digit code of the person's authenticator app, required when they have turned on the second factor: without
    /// it a right password answers 401 totp_required and no session; send the e-mail address, the password and the code
    /// together again.
    /// </summary>
    public string? TotpCode { get; init; }
}

/// <summary>
/// A new TOTP secret for the signed-in person to add to an authenticator app; nothing is stored until they confirm it
/// with a code (POST /console/totp/confirm) before <see cref="ExpiresAt"/>.
/// </summary>
/// <param name="Secret">The 20-byte secret in base32 (RFC 4648, no padding), for typing into the app.</param>
/// <param name="OtpauthUri">The same as an otpauth:// URI (SHA-1, 6 digits, 30-second step), for apps that read one.</param>
/// <param name="EnrolmentToken">Send it back with the first code to confirm; it holds the secret, encrypted for this person only.</param>
/// <param name="ExpiresAt">When the enrolment token stops working; start again after that.</param>
public sealed record TotpEnrolment(string Secret, string OtpauthUri, string EnrolmentToken, DateTimeOffset ExpiresAt);

/// <summary>Confirms a TOTP enrolment with a code the authenticator app shows for the new secret.</summary>
public sealed record ConfirmTotpRequest
{
    /// <summary>The enrolment_token of POST /console/totp/enrolment.</summary>
    public string? EnrolmentToken { get; init; }

    /// <summary>The app's current 6-digit code.</summary>
    public string? Code { get; init; }
}

/// <summary>Turns the second factor off: a current code is required, so a session left open is not enough.</summary>
public sealed record DisableTotpRequest
{
    /// <summary>The authenticator app's current 6-digit code.</summary>
    public string? Code { get; init; }
}

/// <summary>The signed-in person changes their own password.</summary>
public sealed record ChangePasswordRequest
{
    /// <summary>The password in use now: the change needs it even in a live session.</summary>
    public string? CurrentPassword { get; init; }

    /// <summary>
    /// The new password: 12–200 characters, not the current one, not containing the account's e-mail address or its
    /// user name, not a common password or a keyboard or counting run. No other composition rules.
    /// </summary>
    public string? NewPassword { get; init; }
}

/// <summary>The signed-in person's session, as the console's pages need it.</summary>
/// <param name="User">Who is signed in.</param>
/// <param name="OrganizationName">The organisation's name.</param>
/// <param name="OrganizationRoles">The organisation's roles (source_unit, model_builder, data_bureau, …).</param>
/// <param name="CsrfToken">Send it as the X-CSRF-Token header on every POST, PUT, PATCH and DELETE of this session.</param>
/// <param name="ExpiresAt">When the session ends at the latest (it also ends after a period without activity).</param>
/// <param name="TotpEnabled">Whether signing in as this person needs a code of their authenticator app besides the password.</param>
public sealed record ConsoleSession(
    UserAccount User,
    string OrganizationName,
    IReadOnlyList<string> OrganizationRoles,
    string CsrfToken,
    DateTimeOffset ExpiresAt,
    bool TotpEnabled);
