using System.Net.Mail;
using DataSpace.Api.Auth;
using DataSpace.Api.Features.Audit;
using DataSpace.Api.Features.Organizations;
using DataSpace.Api.Http;
using DataSpace.Api.Problems;
using DataSpace.Contracts.Common;
using DataSpace.Contracts.Users;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;

namespace DataSpace.Api.Features.Users;

/// <summary>
/// People of the console: the operator creates an organisation's first admin (or any user of it); an organisation's
/// admin, signed in to the console, invites and removes the organisation's users.
/// </summary>
internal static class UserEndpoints
{
    public const int MinPasswordLength = 12;

    public static IEndpointRouteBuilder MapUserEndpoints(this IEndpointRouteBuilder app)
    {
        var op = app.MapGroup("/v1").WithTags("Users").RequireAuthorization(Policies.Operator);
        op.MapPost("/organizations/{id}/users", CreateUser).WithName("CreateUser")
            .WithSummary("Create a user of an organisation, e.g. its first admin; a generated password is shown only in this response (operator)")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

        var admin = app.MapGroup("/v1/users").WithTags("Users").RequireAuthorization(Policies.UserAdmin);
        admin.MapGet("", ListUsers).WithName("ListUsers")
            .WithSummary("The users of my organisation, removed ones included, in e-mail order (console admin)")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        admin.MapPost("", InviteUser).WithName("InviteUser")
            .WithSummary("Invite a person into my organisation; their initial password is shown only in this response (console admin)")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status409Conflict);
        admin.MapDelete("/{userId}", RemoveUser).WithName("RemoveUser")
            .WithSummary("Remove a user of my organisation: they can no longer sign in and every session of theirs ends at once (console admin)")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        return app;
    }

    private static async Task<Results<Created<CreatedUser>, ProblemHttpResult>> CreateUser(
        string id, CreateUserRequest request, HttpContext http, OrganizationStore organizations, UserStore users,
        IPasswordHasher<UserStore.Credentials> hasher, TimeProvider clock, CancellationToken ct)
    {
        var organization = Guid.TryParse(id, out var orgId) ? await organizations.FindAsync(orgId, ct) : null;
        if (organization is null)
        {
            return Problem.NotFound(ProblemCodes.OrganizationNotFound, "Organisation not found", $"No organisation has id '{id}'.");
        }

        var v = new Validation();
        var (email, name, role) = Read(v, request.Email, request.DisplayName, request.ConsoleRole);
        if (request.Password is { } given && (given.Length is < MinPasswordLength or > 200 || string.IsNullOrWhiteSpace(given)))
        {
            v.Add("password", $"must be {MinPasswordLength}–200 characters");
        }

        return v.IsValid
            ? await CreateAsync(orgId, organization.Roles, email, name, role, request.Password, http, users, hasher, clock, ct)
            : v.ToProblem();
    }

    private static async Task<Results<Created<CreatedUser>, ProblemHttpResult>> InviteUser(
        InviteUserRequest request, HttpContext http, OrganizationStore organizations, UserStore users,
        IPasswordHasher<UserStore.Credentials> hasher, TimeProvider clock, CancellationToken ct)
    {
        var v = new Validation();
        var (email, name, role) = Read(v, request.Email, request.DisplayName, request.ConsoleRole);
        if (!v.IsValid)
        {
            return v.ToProblem();
        }

        var orgId = http.User.OrganizationId();
        var organization = await organizations.FindAsync(orgId, ct);
        return await CreateAsync(orgId, organization!.Roles, email, name, role, null, http, users, hasher, clock, ct);
    }

    private static async Task<Results<Created<CreatedUser>, ProblemHttpResult>> CreateAsync(
        Guid orgId, IReadOnlyList<string> orgRoles, string email, string name, string role, string? password, HttpContext http, UserStore users,
        IPasswordHasher<UserStore.Credentials> hasher, TimeProvider clock, CancellationToken ct)
    {
        var generated = password is null ? NewPassword() : null;
        var hash = hasher.HashPassword(null!, password ?? generated!);
        var row = await users.CreateAsync(orgId, email, name, role, hash, clock.GetUtcNow(), AuditActor.From(http), ct);
        if (row is null)
        {
            return Problem.Conflict(ProblemCodes.UserExists, "A user with this e-mail address exists",
                $"'{email}' already has an account (in this or another organisation); one address signs in to one account.");
        }

        http.Response.Headers.CacheControl = "no-store";
        return TypedResults.Created($"/v1/users/{row.Id}", new CreatedUser(row.ToContract(ConsoleRoles.ScopesFor(role, orgRoles)), generated));
    }

    private static async Task<Results<Ok<Page<UserAccount>>, ProblemHttpResult>> ListUsers(
        HttpContext http, OrganizationStore organizations, UserStore users, CancellationToken ct, [FromQuery] string? cursor = null, [FromQuery] int? limit = null)
    {
        var v = new Validation();
        var (after, size) = Paging.ReadText(cursor, limit, v);
        if (!v.IsValid)
        {
            return v.ToProblem();
        }

        var orgId = http.User.OrganizationId();
        var roles = (await organizations.FindAsync(orgId, ct))!.Roles;
        var rows = await users.ListAsync(orgId, after, size + 1, ct);
        return TypedResults.Ok(Paging.PageOf(rows, size, r => r.ToContract(ConsoleRoles.ScopesFor(r.ConsoleRole, roles)), r => Paging.CursorFor(r.Email)));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> RemoveUser(string userId, HttpContext http, UserStore users, TimeProvider clock, CancellationToken ct)
    {
        if (!Guid.TryParse(userId, out var id))
        {
            return Problem.NotFound(ProblemCodes.UserNotFound, "User not found", $"Your organisation has no user '{userId}'.");
        }

        // The last admin could otherwise lock the organisation out; another admin removes an admin.
        if (http.User.UserId() == id)
        {
            return Problem.Conflict(ProblemCodes.CannotRemoveSelf, "You cannot remove yourself", "Ask another admin of your organisation to remove your account.");
        }

        return await users.RemoveAsync(http.User.OrganizationId(), id, clock.GetUtcNow(), AuditActor.From(http), ct)
            ? TypedResults.NoContent()
            : Problem.NotFound(ProblemCodes.UserNotFound, "User not found", $"Your organisation has no current user '{userId}'.");
    }

    private static (string Email, string Name, string Role) Read(Validation v, string? email, string? displayName, string? consoleRole)
    {
        var address = v.RequiredText("email", email, 254).ToLowerInvariant();
        if (address.Length > 0 && !(MailAddress.TryCreate(address, out var parsed) && parsed.Address == address && address.Length >= 3))
        {
            v.Add("email", "must be an e-mail address such as name@example.cn");
        }

        var name = v.RequiredText("display_name", displayName, 100);
        var role = v.RequiredText("console_role", consoleRole, 20);
        if (role.Length > 0 && !ConsoleRoles.All.Contains(role))
        {
            v.Add("console_role", $"must be one of {string.Join(", ", ConsoleRoles.All)}");
        }

        return (address, name, role);
    }

    /// <summary>An initial password: 18 random bytes, base64url (24 characters, 144 bits).</summary>
    private static string NewPassword() => ConsoleSessions.NewSecret()[..24];
}
