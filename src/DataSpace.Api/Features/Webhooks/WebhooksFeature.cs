namespace DataSpace.Api.Features.Webhooks;

/// <summary>Webhook endpoints, the transactional outbox and its dispatcher, added and mapped in one place.</summary>
internal static class WebhooksFeature
{
    public static IServiceCollection AddWebhooks(this IServiceCollection services)
    {
        services.AddOptions<WebhookOptions>().BindConfiguration(WebhookOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<WebhookOutbox>();
        services.AddSingleton<WebhookStore>();
        services.AddHostedService<WebhookDispatcher>();
        return services;
    }

    public static IEndpointRouteBuilder MapWebhooks(this IEndpointRouteBuilder app)
    {
        app.MapWebhookEndpoints();
        return app;
    }
}
