namespace DataSpace.Api.Features.Orders;

/// <summary>Plans, orders, payments, refunds and entitlements, added and mapped in one place.</summary>
internal static class OrdersFeature
{
    public static IServiceCollection AddOrders(this IServiceCollection services)
    {
        services.AddSingleton<OrderStore>();
        services.AddOptions<PaymentOptions>().BindConfiguration(PaymentOptions.Section);
        return services;
    }

    public static IEndpointRouteBuilder MapOrders(this IEndpointRouteBuilder app)
    {
        app.MapOrderEndpoints();
        return app;
    }

    /// <summary>
    /// Mapped apart from <see cref="MapOrders"/>, after revenue: the committed OpenAPI document lists operations in mapping
    /// order, and the payment webhook comes after the access and revenue routes there.
    /// </summary>
    public static IEndpointRouteBuilder MapPaymentWebhooks(this IEndpointRouteBuilder app)
    {
        app.MapPaymentWebhook();
        return app;
    }
}
