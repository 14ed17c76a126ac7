using System.ComponentModel.DataAnnotations;
using DataSpace.Api.Auth;
using DataSpace.Api.Problems;
using Microsoft.Extensions.Options;

namespace DataSpace.Api.Http;

/// <summary>Concurrent streaming uploads (section Uploads).</summary>
internal sealed class UploadOptions
{
    public const string Section = "Uploads";

    /// <summary>Uploads one organisation may stream at once on one instance (Uploads__MaxConcurrentPerOrganization).</summary>
    [Range(1, 10_000, ErrorMessage = "Set Uploads:MaxConcurrentPerOrganization between 1 and 10000.")]
    public int MaxConcurrentPerOrganization { get; set; } = 4;

    /// <summary>Seconds a refused client is told to wait (Retry-After).</summary>
    [Range(1, 3600, ErrorMessage = "Set Uploads:RetryAfterSeconds between 1 and 3600.")]
    public int RetryAfterSeconds { get; set; } = 5;
}

/// <summary>
/// An endpoint filter that holds one of the caller organisation's upload slots while a streaming upload runs and
/// answers 429 <c>too_many_concurrent_uploads</c> with Retry-After when none is free; the slot is released when the
/// handler ends, whether it completed, failed or the client went away.
/// The count is per instance, on purpose: what a stalled upload pins (buffers, a socket, a blob-store stream) is
/// this instance's memory, so N replicas allow N times the limit, and a crashed instance leaks no slot elsewhere.
/// </summary>
internal sealed class UploadSlots(IOptions<UploadOptions> options) : IEndpointFilter
{
    private readonly Dictionary<Guid, int> _inUse = [];

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var org = http.User.OrganizationId();
        var max = options.Value.MaxConcurrentPerOrganization;
        if (!TryAcquire(org, max))
        {
            http.Response.Headers.RetryAfter = options.Value.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return Problem.Of(StatusCodes.Status429TooManyRequests, ProblemCodes.TooManyConcurrentUploads, "Too many uploads at once",
                $"Your organisation is already streaming {max} uploads to this server; retry when one has finished.");
        }

        try
        {
            return await next(context);
        }
        finally
        {
            Release(org);
        }
    }

    private bool TryAcquire(Guid org, int max)
    {
        lock (_inUse)
        {
            var n = _inUse.GetValueOrDefault(org);
            if (n >= max)
            {
                return false;
            }

            _inUse[org] = n + 1;
            return true;
        }
    }

    private void Release(Guid org)
    {
        lock (_inUse)
        {
            if (--_inUse[org] == 0)
            {
                _inUse.Remove(org);
            }
        }
    }
}

internal static class UploadSlotEndpoints
{
    public static IServiceCollection AddUploadSlots(this IServiceCollection services)
    {
        services.AddOptions<UploadOptions>().BindConfiguration(UploadOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<UploadSlots>();
        return services;
    }

    /// <summary>Runs the endpoint inside one of the caller organisation's upload slots (the singleton <see cref="UploadSlots"/>).</summary>
    public static RouteHandlerBuilder HoldsUploadSlot(this RouteHandlerBuilder builder) => builder
        .AddEndpointFilter(static (context, next) => context.HttpContext.RequestServices.GetRequiredService<UploadSlots>().InvokeAsync(context, next))
        .ProducesProblem(StatusCodes.Status429TooManyRequests);
}
