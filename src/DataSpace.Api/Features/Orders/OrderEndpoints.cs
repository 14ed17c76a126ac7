using DataSpace.Api.Auth;
using DataSpace.Api.Features.Access;
using DataSpace.Api.Features.Audit;
using DataSpace.Api.Features.Datasets;
using DataSpace.Api.Features.Terms;
using DataSpace.Api.Http;
using DataSpace.Api.Problems;
using DataSpace.Contracts.Common;
using DataSpace.Contracts.Datasets;
using DataSpace.Contracts.Orders;
using Microsoft.AspNetCore.Mvc;

namespace DataSpace.Api.Features.Orders;

internal static class OrderEndpoints
{
    public static IEndpointRouteBuilder MapOrderEndpoints(this IEndpointRouteBuilder app)
    {
        var plans = app.MapGroup("/v1/datasets/{id}/plans").WithTags("Orders").RequireAuthorization(Policies.Catalog);
        plans.MapPost("/", CreatePlan).WithName("CreatePlan")
            .WithSummary("Offer a paid dataset: a one-time purchase or a subscription (P1M, P3M, P1Y), price in fen (owner)")
            .RequireAuthorization(Policies.Publisher)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);
        plans.MapGet("/", ListPlans).WithName("ListPlans").WithSummary("The dataset's plans, oldest first; active=true for those still offered")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);
        plans.MapPost("/{planId}/deactivate", DeactivatePlan).WithName("DeactivatePlan")
            .WithSummary("Stop offering a plan: no new orders; paid orders and their entitlements stay as they are (owner)")
            .RequireAuthorization(Policies.Publisher)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

        var orders = app.MapGroup("/v1/orders").WithTags("Orders").RequireAuthorization(Policies.Catalog);
        orders.MapPost("/", Place).WithName("PlaceOrder")
            .WithSummary("Order a plan; needs accepted terms and an Idempotency-Key; the order waits for payment with its price fixed")
            .RequireAuthorization(Policies.Buyer)
            .Idempotent(required: true)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        orders.MapGet("/", List).WithName("ListOrders")
            .WithSummary("Orders you placed or received, newest first; for the operator every organisation's; status narrows to one status")
            .WithDescription("status is pending_payment, paid, cancelled or refunded. The operator's GET /v1/orders?status=pending_payment " +
                "is its queue of payments to confirm (POST /v1/orders/{orderId}/payments).")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        orders.MapGet("/{orderId}", Get).WithName("GetOrder").WithSummary("One order, for its buyer, its seller and the operator")
            .ProducesProblem(StatusCodes.Status404NotFound);
        orders.MapPost("/{orderId}/payments", Pay).WithName("ConfirmPayment")
            .WithSummary("Confirm the payment: the order is paid, an entitlement opens the files, the revenue is booked (operator)")
            .RequireAuthorization(Policies.Operator)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        orders.MapPost("/{orderId}/refund", Refund).WithName("RefundOrder")
            .WithSummary("Refund a paid order: the entitlement is revoked at once and the revenue reversed (operator)")
            .RequireAuthorization(Policies.Operator)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        orders.MapPost("/{orderId}/cancel", Cancel).WithName("CancelOrder")
            .WithSummary("Cancel an unpaid order (buyer)")
            .RequireAuthorization(Policies.Buyer)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

        app.MapGet("/v1/entitlements", Entitlements).WithTags("Orders").WithName("ListEntitlements")
            .WithSummary("Your organisation's entitlements, newest first, with whether each is active now; dataset_id narrows to one dataset")
            .RequireAuthorization(Policies.Catalog)
            .ProducesProblem(StatusCodes.Status400BadRequest);
        return app;
    }

    private static async Task<Results<Created<Plan>, ProblemHttpResult>> CreatePlan(
        string id, CreatePlanRequest request, HttpContext http, DatasetAccess datasets, OrderStore store, TimeProvider clock, CancellationToken ct)
    {
        var (dataset, problem) = await datasets.FindOwnedAsync(id, http, ct);
        if (dataset is null)
        {
            return problem!;
        }

        var v = new Validation();
        if (dataset.Access != AccessModes.Paid)
        {
            v.Add("access", "plans are for paid datasets; this one is open and free to download");
        }

        if (request.Kind is not (PlanKinds.OneTime or PlanKinds.Subscription))
        {
            v.Add("kind", "must be one_time or subscription");
        }
        else if (request.Kind == PlanKinds.Subscription && request.Period is not (PlanPeriods.OneMonth or PlanPeriods.ThreeMonths or PlanPeriods.OneYear))
        {
            v.Add("period", "must be P1M, P3M or P1Y for a subscription");
        }
        else if (request.Kind == PlanKinds.OneTime && request.Period is not null)
        {
            v.Add("period", "must be omitted for a one-time purchase");
        }

        if (request.PriceFen is not > 0)
        {
            v.Add("price_fen", "must be a positive whole number of fen (1 CNY = 100 fen)");
        }

        if (!v.IsValid)
        {
            return v.ToProblem();
        }

        var plan = await store.CreatePlanAsync(dataset.Id, dataset.OwnerId, request.Kind!, request.Period, request.PriceFen!.Value, clock.GetUtcNow(), AuditActor.From(http), ct);
        return TypedResults.Created($"/v1/datasets/{dataset.Id}/plans", plan.ToContract());
    }

    private static async Task<Results<Ok<Page<Plan>>, ProblemHttpResult>> ListPlans(
        string id, HttpContext http, DatasetAccess datasets, OrderStore store, CancellationToken ct,
        [FromQuery] bool? active = null, [FromQuery] string? cursor = null, [FromQuery] int? limit = null)
    {
        var (dataset, problem) = await datasets.FindVisibleAsync(id, http, ct);
        if (dataset is null)
        {
            return problem!;
        }

        var v = new Validation();
        var (after, size) = Paging.Read(cursor, limit, v);
        if (!v.IsValid)
        {
            return v.ToProblem();
        }

        var rows = await store.PlansAsync(dataset.Id, active, after, size + 1, ct);
        return TypedResults.Ok(Paging.PageOf(rows, size, p => p.ToContract(), p => Paging.CursorFor(p.Id)));
    }

    private static async Task<Results<Ok<Plan>, ProblemHttpResult>> DeactivatePlan(
        string id, string planId, HttpContext http, DatasetAccess datasets, OrderStore store, CancellationToken ct)
    {
        var (dataset, problem) = await datasets.FindOwnedAsync(id, http, ct);
        if (dataset is null)
        {
            return problem!;
        }

        var plan = Guid.TryParse(planId, out var pid) ? await store.PlanAsync(pid, ct) : null;
        if (plan is null || plan.DatasetId != dataset.Id)
        {
            return Problem.NotFound(ProblemCodes.PlanNotFound, "Plan not found", $"Dataset '{dataset.Id}' has no plan with id '{planId}'.");
        }

        return await store.DeactivatePlanAsync(plan, dataset.OwnerId, AuditActor.From(http), ct)
            ? TypedResults.Ok((await store.PlanAsync(pid, ct))!.ToContract())
            : Problem.Conflict(ProblemCodes.PlanInactive, "The plan is no longer offered", "It was already deactivated.");
    }

    private static async Task<Results<Created<Order>, ProblemHttpResult>> Place(
        CreateOrderRequest request, HttpContext http, DatasetAccess datasets, TermsStore terms, OrderStore store, AccessGate access, TimeProvider clock, CancellationToken ct)
    {
        var plan = Guid.TryParse(request.PlanId, out var planId) ? await store.PlanAsync(planId, ct) : null;
        if (request.PlanId is null)
        {
            return new Validation().Add("plan_id", "is required").ToProblem();
        }

        var me = http.User.OrganizationId();
        var dataset = plan is null ? null : await datasets.FindAsync(plan.DatasetId, ct);
        if (plan is null || dataset is null || !dataset.IsVisibleTo(me))
        {
            return Problem.NotFound(ProblemCodes.PlanNotFound, "Plan not found", $"No plan has id '{request.PlanId}'.");
        }

        if (dataset.IsOwnedBy(me))
        {
            return Problem.Conflict(ProblemCodes.OwnDataset, "You cannot order your own dataset", "Owners download their own files freely.");
        }

        if (dataset.Status == DatasetStatuses.Withdrawn)
        {
            return Problem.Conflict(ProblemCodes.DatasetWithdrawn, "The dataset was withdrawn", "It can no longer be ordered.");
        }

        if (!plan.Active)
        {
            return Problem.Conflict(ProblemCodes.PlanInactive, "The plan is no longer offered");
        }

        var (accepted, current) = await terms.AcceptedCurrentAsync(dataset.Id, me, ct);
        if (current is null || !accepted)
        {
            return Problem.Conflict(ProblemCodes.TermsNotAccepted, "Accept the dataset's terms first",
                current is null
                    ? "The dataset has no data use agreement yet, so it cannot be ordered."
                    : $"Read GET /v1/datasets/{dataset.Id}/terms and accept version {current} with POST /v1/datasets/{dataset.Id}/agreements.");
        }

        // Under approval only an approved requester may order; the usage policy must let the buyer use the data now.
        if (await access.OrderAsync(dataset, http.User, ct) is { } refusal)
        {
            return refusal;
        }

        var order = await store.PlaceAsync(me, http.User.ClientId(), plan, dataset.OwnerId, current.Value, clock.GetUtcNow(), AuditActor.From(http), ct);
        return TypedResults.Created($"/v1/orders/{order.Id}", order.ToContract());
    }

    private static async Task<Results<Ok<Page<Order>>, ProblemHttpResult>> List(
        HttpContext http, OrderStore store, CancellationToken ct, [FromQuery] string? cursor = null, [FromQuery] int? limit = null,
        [FromQuery] string? status = null)
    {
        var v = new Validation();
        var (after, size) = Paging.Read(cursor, limit, v);
        if (status is not null && !OrderStatuses.All.Contains(status))
        {
            v.Add("status", $"'{status}' is not an order status; use {string.Join(", ", OrderStatuses.All)}");
        }

        if (!v.IsValid)
        {
            return v.ToProblem();
        }

        // The operator confirms and refunds every organisation's payments (GetOrder shows it any order), so its list is
        // all of them: status=pending_payment is its queue of payments to confirm.
        var org = http.User.HasRole(Roles.Operator) ? (Guid?)null : http.User.OrganizationId();
        var rows = await store.ListAsync(org, status, after, size + 1, ct);
        return TypedResults.Ok(new Page<Order>([.. rows.Take(size).Select(r => r.ToContract())], rows.Count > size ? Paging.CursorFor(rows[size - 1].Id) : null));
    }

    /// <summary>An order the caller may see: its buyer, its seller, or the operator.</summary>
    private static async Task<(OrderStore.OrderRow? Row, ProblemHttpResult? Problem)> FindAsync(string orderId, HttpContext http, OrderStore store, CancellationToken ct)
    {
        var me = http.User.OrganizationId();
        var row = Guid.TryParse(orderId, out var id) ? await store.FindAsync(id, ct) : null;
        return row is not null && (row.BuyerId == me || row.SellerId == me || http.User.HasRole(Roles.Operator))
            ? (row, null)
            : (null, Problem.NotFound(ProblemCodes.OrderNotFound, "Order not found", $"No order with id '{orderId}' is yours."));
    }

    private static async Task<Results<Ok<Order>, ProblemHttpResult>> Get(string orderId, HttpContext http, OrderStore store, CancellationToken ct)
    {
        var (row, problem) = await FindAsync(orderId, http, store, ct);
        return row is null ? problem! : TypedResults.Ok(row.ToContract());
    }

    private static async Task<Results<Ok<Order>, ProblemHttpResult>> Pay(
        string orderId, ConfirmPaymentRequest request, HttpContext http, OrderStore store, TimeProvider clock, CancellationToken ct)
    {
        var (row, problem) = await FindAsync(orderId, http, store, ct);
        if (row is null)
        {
            return problem!;
        }

        var v = new Validation();
        if (request.AmountFen is not > 0)
        {
            v.Add("amount_fen", "must be a positive whole number of fen");
        }

        var reference = v.RequiredText("reference", request.Reference, 200);
        if (!v.IsValid)
        {
            return v.ToProblem();
        }

        return await store.ConfirmPaymentAsync(row.Id, request.AmountFen!.Value, reference, "operator", clock.GetUtcNow(), AuditActor.From(http), ct) switch
        {
            OrderStore.PaymentOutcome.AmountMismatch => Problem.Conflict(ProblemCodes.AmountMismatch, "The amount differs from the order",
                $"The order costs {row.PriceFen} fen; {request.AmountFen} fen was reported. Nothing was recorded."),
            OrderStore.PaymentOutcome.ReferenceUsed => Problem.Conflict(ProblemCodes.PaymentReferenceUsed, "That payment reference is already recorded",
                "Each payment provider reference pays one order."),
            OrderStore.PaymentOutcome.NotPayable => Problem.Conflict(ProblemCodes.OrderNotPayable, "The order is not waiting for payment", $"It is {row.Status}."),
            _ => TypedResults.Ok((await store.FindAsync(row.Id, ct))!.ToContract()),
        };
    }

    private static async Task<Results<Ok<Order>, ProblemHttpResult>> Refund(string orderId, HttpContext http, OrderStore store, TimeProvider clock, CancellationToken ct)
    {
        var (row, problem) = await FindAsync(orderId, http, store, ct);
        if (row is null)
        {
            return problem!;
        }

        return await store.RefundAsync(row.Id, clock.GetUtcNow(), AuditActor.From(http), ct)
            ? TypedResults.Ok((await store.FindAsync(row.Id, ct))!.ToContract())
            : Problem.Conflict(ProblemCodes.OrderNotPaid, "Only a paid order can be refunded", $"It is {row.Status}.");
    }

    private static async Task<Results<Ok<Order>, ProblemHttpResult>> Cancel(string orderId, HttpContext http, OrderStore store, TimeProvider clock, CancellationToken ct)
    {
        var (row, problem) = await FindAsync(orderId, http, store, ct);
        if (row is null || row.BuyerId != http.User.OrganizationId())
        {
            return problem ?? Problem.NotFound(ProblemCodes.OrderNotFound, "Order not found", $"No order with id '{orderId}' is yours.");
        }

        return await store.CancelAsync(row.Id, row.SellerId, clock.GetUtcNow(), AuditActor.From(http), ct)
            ? TypedResults.Ok((await store.FindAsync(row.Id, ct))!.ToContract())
            : Problem.Conflict(ProblemCodes.OrderNotCancellable, "Only an unpaid order can be cancelled", $"It is {row.Status}; ask the operator for a refund.");
    }

    private static async Task<Results<Ok<Page<Entitlement>>, ProblemHttpResult>> Entitlements(
        HttpContext http, OrderStore store, TimeProvider clock, CancellationToken ct,
        [FromQuery(Name = "dataset_id")] string? datasetId = null, [FromQuery] string? cursor = null, [FromQuery] int? limit = null)
    {
        var v = new Validation();
        var (after, size) = Paging.Read(cursor, limit, v);
        Guid? dataset = null;
        if (datasetId is not null)
        {
            if (Guid.TryParse(datasetId, out var d))
            {
                dataset = d;
            }
            else
            {
                v.Add("dataset_id", "must be a dataset id");
            }
        }

        if (!v.IsValid)
        {
            return v.ToProblem();
        }

        var now = clock.GetUtcNow();
        var rows = await store.EntitlementsAsync(http.User.OrganizationId(), dataset, after, size + 1, ct);
        return TypedResults.Ok(Paging.PageOf(rows, size, e => e.ToContract(now), e => Paging.CursorFor(e.Id)));
    }
}
