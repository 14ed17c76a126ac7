using Dapper;
using DataSpace.Api.Database;
using DataSpace.Usage;
using DataSpace.Api.Features.Audit;
using DataSpace.Api.Telemetry;
using DataSpace.Contracts.Orders;
using Npgsql;
using DataSpace.Api.Features.Webhooks;

namespace DataSpace.Api.Features.Orders;

[FeatureService]
internal sealed class OrderStore(NpgsqlDataSource db, AuditChain audit, WebhookOutbox outbox, DomainMetrics metrics)
{
    public sealed record PlanRow(Guid Id, Guid DatasetId, string Kind, string? Period, long PriceFen, string Currency, bool Active, DateTime CreatedAt)
    {
        public Plan ToContract() => new(Id.ToString(), DatasetId.ToString(), Kind, Period, PriceFen, Currency, Active, Timestamps.Utc(CreatedAt));
    }

    public sealed record OrderRow(
        Guid Id, Guid BuyerId, string ClientId, Guid DatasetId, Guid SellerId, Guid PlanId, string Kind, string? Period, long PriceFen,
        int TermsVersion, string Status, DateTime CreatedAt, DateTime? PaidAt, DateTime? ClosedAt, Guid? EntitlementId, string BuyerName, string SellerName)
    {
        public Order ToContract() => new()
        {
            Id = Id.ToString(), Buyer = new(BuyerId.ToString(), BuyerName), Seller = new(SellerId.ToString(), SellerName), DatasetId = DatasetId.ToString(), PlanId = PlanId.ToString(), Kind = Kind, Period = Period,
            PriceFen = PriceFen, Currency = "CNY", TermsVersion = TermsVersion, Status = Status, CreatedAt = Timestamps.Utc(CreatedAt),
            PaidAt = PaidAt is { } p ? Timestamps.Utc(p) : null, ClosedAt = ClosedAt is { } c ? Timestamps.Utc(c) : null,
            EntitlementId = EntitlementId?.ToString(),
        };
    }

    public sealed record EntitlementRow(Guid Id, Guid OrderId, Guid OrganizationId, Guid DatasetId, DateTime ValidFrom, DateTime? ValidUntil, DateTime? RevokedAt)
    {
        public bool ActiveAt(DateTimeOffset now) => RevokedAt is null && ValidFrom <= now.UtcDateTime && (ValidUntil is null || now.UtcDateTime < ValidUntil);

        public Entitlement ToContract(DateTimeOffset now) => new(Id.ToString(), OrderId.ToString(), OrganizationId.ToString(), DatasetId.ToString(),
            Timestamps.Utc(ValidFrom), ValidUntil is { } u ? Timestamps.Utc(u) : null, RevokedAt is { } r ? Timestamps.Utc(r) : null, ActiveAt(now));
    }

    private const string SelectOrder = """
        select o.id, o.buyer_id, o.client_id, o.dataset_id, o.seller_id, o.plan_id, o.kind, o.period, o.price_fen, o.terms_version, o.status,
               o.created_at, o.paid_at, o.closed_at, e.id as entitlement_id, b.name as buyer_name, s.name as seller_name
        from orders o left join entitlements e on e.order_id = o.id
        join organizations b on b.id = o.buyer_id join organizations s on s.id = o.seller_id
        """;

    public async Task<PlanRow> CreatePlanAsync(Guid datasetId, Guid ownerId, string kind, string? period, long priceFen, DateTimeOffset now, AuditActor actor, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var row = await conn.QuerySingleAsync<PlanRow>(new CommandDefinition("""
            insert into plans (id, dataset_id, kind, period, price_fen, currency, active, created_at)
            values (@id, @datasetId, @kind, @period, @priceFen, 'CNY', true, @now)
            returning id, dataset_id, kind, period, price_fen, currency, active, created_at
            """, new { id = Guid.CreateVersion7(now), datasetId, kind, period, priceFen, now }, tx, cancellationToken: ct));
        await audit.AppendAsync(conn, tx, new AuditEntry(actor, ownerId, "plan", row.Id.ToString(), "created", Details: new { kind, period, price_fen = priceFen }), ct);
        await tx.CommitAsync(ct);
        return row;
    }

    public async Task<IReadOnlyList<PlanRow>> PlansAsync(Guid datasetId, bool? active, Guid? after, int limit, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<PlanRow>(new CommandDefinition("""
            select id, dataset_id, kind, period, price_fen, currency, active, created_at from plans
            where dataset_id = @datasetId and (@active::boolean is null or active = @active) and (@after::uuid is null or id > @after)
            order by id limit @limit
            """, new { datasetId, active, after, limit }, cancellationToken: ct))).AsList();
    }

    /// <summary>The active plans of several datasets in one query, in id order.</summary>
    public async Task<IReadOnlyList<PlanRow>> ActivePlansAsync(Guid[] datasetIds, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<PlanRow>(new CommandDefinition("""
            select id, dataset_id, kind, period, price_fen, currency, active, created_at from plans
            where dataset_id = any(@datasetIds) and active order by id
            """, new { datasetIds }, cancellationToken: ct))).AsList();
    }

    /// <summary>Stops offering a plan: no new orders; paid orders and their entitlements are untouched. False when it was already inactive.</summary>
    public async Task<bool> DeactivatePlanAsync(PlanRow plan, Guid ownerId, AuditActor actor, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var changed = await conn.ExecuteAsync(new CommandDefinition(
            "update plans set active = false where id = @Id and active", new { plan.Id }, tx, cancellationToken: ct)) == 1;
        if (changed)
        {
            await audit.AppendAsync(conn, tx, new AuditEntry(actor, ownerId, "plan", plan.Id.ToString(), "deactivated", Details: new { dataset_id = plan.DatasetId }), ct);
        }

        await tx.CommitAsync(ct);
        return changed;
    }

    public async Task<PlanRow?> PlanAsync(Guid id, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.QuerySingleOrDefaultAsync<PlanRow>(new CommandDefinition(
            "select id, dataset_id, kind, period, price_fen, currency, active, created_at from plans where id = @id", new { id }, cancellationToken: ct));
    }

    public async Task<OrderRow> PlaceAsync(Guid buyer, string clientId, PlanRow plan, Guid sellerId, int termsVersion, DateTimeOffset now, AuditActor actor, CancellationToken ct)
    {
        var id = Guid.CreateVersion7(now);
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition("""
            insert into orders (id, buyer_id, client_id, dataset_id, seller_id, plan_id, kind, period, price_fen, terms_version, status, created_at)
            values (@id, @buyer, @clientId, @DatasetId, @sellerId, @planId, @Kind, @Period, @PriceFen, @termsVersion, 'pending_payment', @now)
            """, new { id, buyer, clientId, plan.DatasetId, sellerId, planId = plan.Id, plan.Kind, plan.Period, plan.PriceFen, termsVersion, now }, tx, cancellationToken: ct));
        // An order makes the buyer known to the seller.
        await audit.AppendAsync(conn, tx, new AuditEntry(actor, sellerId, "order", id.ToString(), "placed", "order", id.ToString(),
            new { dataset_id = plan.DatasetId, price_fen = plan.PriceFen }), ct);
        await tx.CommitAsync(ct);
        metrics.OrderPlaced();
        return (await FindAsync(id, ct))!;
    }

    public async Task<OrderRow?> FindAsync(Guid id, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.QuerySingleOrDefaultAsync<OrderRow>(new CommandDefinition(SelectOrder + " where o.id = @id", new { id }, cancellationToken: ct));
    }

    /// <summary>
    /// One page of orders, newest first, after <paramref name="after"/>: those <paramref name="org"/> placed or received,
    /// or with a null org every organisation's (the operator's view); <paramref name="status"/> narrows to one status.
    /// </summary>
    public async Task<IReadOnlyList<OrderRow>> ListAsync(Guid? org, string? status, Guid? after, int limit, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<OrderRow>(new CommandDefinition(SelectOrder + """
             where (@org::uuid is null or o.buyer_id = @org or o.seller_id = @org) and (@status::text is null or o.status = @status)
               and (@after::uuid is null or o.id < @after)
             order by o.id desc limit @limit
            """, new { org, status, after, limit }, cancellationToken: ct))).AsList();
    }

    public enum PaymentOutcome { Paid, AlreadyPaidWithThisReference, NotPayable, AmountMismatch, ReferenceUsed }

    /// <summary>
    /// Records a payment: the order becomes paid, an entitlement opens, and the revenue is booked, in one transaction
    /// with the order row locked, so concurrent confirmations give one of each.
    /// </summary>
    public async Task<PaymentOutcome> ConfirmPaymentAsync(Guid orderId, long amountFen, string reference, string source, DateTimeOffset now, AuditActor actor, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var order = await conn.QuerySingleAsync<(string Status, long PriceFen, string Kind, string? Period, Guid DatasetId, Guid SellerId, Guid BuyerId)>(new CommandDefinition(
            "select status, price_fen, kind, period, dataset_id, seller_id, buyer_id from orders where id = @orderId for update", new { orderId }, tx, cancellationToken: ct));
        if (order.Status != OrderStatuses.PendingPayment)
        {
            var sameReference = await conn.ExecuteScalarAsync<bool>(new CommandDefinition(
                "select exists (select 1 from payments where order_id = @orderId and reference = @reference)", new { orderId, reference }, tx, cancellationToken: ct));
            return sameReference ? PaymentOutcome.AlreadyPaidWithThisReference : PaymentOutcome.NotPayable;
        }

        if (amountFen != order.PriceFen)
        {
            return PaymentOutcome.AmountMismatch;
        }

        var recorded = await conn.ExecuteAsync(new CommandDefinition("""
            insert into payments (id, order_id, amount_fen, reference, source, received_at) values (@id, @orderId, @amountFen, @reference, @source, @now)
            on conflict (reference) do nothing
            """, new { id = Guid.CreateVersion7(now), orderId, amountFen, reference, source, now }, tx, cancellationToken: ct));
        if (recorded == 0)
        {
            return PaymentOutcome.ReferenceUsed;
        }

        DateTimeOffset? until = order.Period switch
        {
            "P1M" => now.AddMonths(1),
            "P3M" => now.AddMonths(3),
            "P1Y" => now.AddYears(1),
            _ => null,
        };
        var entitlementId = Guid.CreateVersion7(now);
        await conn.ExecuteAsync(new CommandDefinition("""
            update orders set status = 'paid', paid_at = @now where id = @orderId;
            insert into entitlements (id, order_id, organization_id, dataset_id, valid_from, valid_until) values (@entitlementId, @orderId, @BuyerId, @DatasetId, @now, @until);
            insert into revenue_entries (id, dataset_id, unit_id, order_id, kind, amount_fen, period_month, occurred_at)
            values (@revenueId, @DatasetId, @SellerId, @orderId, 'payment', @amountFen, @month, @now);
            """, new
        {
            now, orderId, entitlementId, order.BuyerId, order.DatasetId, until, revenueId = Guid.CreateVersion7(now), order.SellerId, amountFen,
            month = ReportingPeriods.MonthOf(now),
        }, tx, cancellationToken: ct));
        await audit.AppendAsync(conn, tx, new AuditEntry(actor, order.SellerId, "order", orderId.ToString(), "paid", Details: new { amount_fen = amountFen, reference, source }), ct);
        await outbox.EnqueueAsync(conn, tx, new(WebhookEventTypes.OrderPaid, WebhookAudience.OrderParties, orderId, new { order_id = orderId, dataset_id = order.DatasetId, buyer_id = order.BuyerId, amount_fen = amountFen, entitlement_id = entitlementId, valid_until = until }), ct);
        await tx.CommitAsync(ct);
        metrics.OrderPaid();
        return PaymentOutcome.Paid;
    }

    /// <summary>Refunds a paid order: the entitlement is revoked and the revenue reversed. False when the order was not paid.</summary>
    public async Task<bool> RefundAsync(Guid orderId, DateTimeOffset now, AuditActor actor, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var order = await conn.QuerySingleAsync<(string Status, long PriceFen, Guid DatasetId, Guid SellerId)>(new CommandDefinition(
            "select status, price_fen, dataset_id, seller_id from orders where id = @orderId for update", new { orderId }, tx, cancellationToken: ct));
        if (order.Status != OrderStatuses.Paid)
        {
            return false;
        }

        await conn.ExecuteAsync(new CommandDefinition("""
            update orders set status = 'refunded', closed_at = @now where id = @orderId;
            update entitlements set revoked_at = @now where order_id = @orderId and revoked_at is null;
            insert into revenue_entries (id, dataset_id, unit_id, order_id, kind, amount_fen, period_month, occurred_at)
            values (@revenueId, @DatasetId, @SellerId, @orderId, 'refund', -@PriceFen, @month, @now);
            """, new { now, orderId, revenueId = Guid.CreateVersion7(now), order.DatasetId, order.SellerId, order.PriceFen, month = ReportingPeriods.MonthOf(now) }, tx, cancellationToken: ct));
        await audit.AppendAsync(conn, tx, new AuditEntry(actor, order.SellerId, "order", orderId.ToString(), "refunded", Details: new { amount_fen = order.PriceFen }), ct);
        await outbox.EnqueueAsync(conn, tx, new(WebhookEventTypes.EntitlementRevoked, WebhookAudience.OrderParties, orderId, new { order_id = orderId, dataset_id = order.DatasetId, reason = "refunded" }), ct);
        await tx.CommitAsync(ct);
        return true;
    }

    /// <summary>Cancels an unpaid order of the buyer's; false when it was not pending payment.</summary>
    public async Task<bool> CancelAsync(Guid orderId, Guid sellerId, DateTimeOffset now, AuditActor actor, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var cancelled = await conn.ExecuteAsync(new CommandDefinition(
            "update orders set status = 'cancelled', closed_at = @now where id = @orderId and status = 'pending_payment'", new { orderId, now }, tx, cancellationToken: ct)) == 1;
        if (cancelled)
        {
            await audit.AppendAsync(conn, tx, new AuditEntry(actor, sellerId, "order", orderId.ToString(), "cancelled", "order", orderId.ToString()), ct);
        }

        await tx.CommitAsync(ct);
        return cancelled;
    }

    public async Task<IReadOnlyList<EntitlementRow>> EntitlementsAsync(Guid org, Guid? datasetId, Guid? after, int limit, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<EntitlementRow>(new CommandDefinition("""
            select id, order_id, organization_id, dataset_id, valid_from, valid_until, revoked_at from entitlements
            where organization_id = @org and (@datasetId::uuid is null or dataset_id = @datasetId) and (@after::uuid is null or id < @after)
            order by id desc limit @limit
            """, new { org, datasetId, after, limit }, cancellationToken: ct))).AsList();
    }

    /// <summary>The organisation's entitlement to the dataset that is active now, if any.</summary>
    public async Task<Guid?> ActiveEntitlementAsync(Guid org, Guid datasetId, DateTimeOffset now, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.ExecuteScalarAsync<Guid?>(new CommandDefinition("""
            select id from entitlements
            where organization_id = @org and dataset_id = @datasetId and revoked_at is null and valid_from <= @now and (valid_until is null or valid_until > @now)
            order by valid_until desc nulls first limit 1
            """, new { org, datasetId, now }, cancellationToken: ct));
    }
}
