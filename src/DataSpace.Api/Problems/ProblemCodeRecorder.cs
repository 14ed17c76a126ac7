using Microsoft.AspNetCore.Routing;

namespace DataSpace.Api.Problems;

/// <summary>
/// Writes down which problem codes each operation answers, when <c>Problems:RecordTo</c> names a file: one line
/// "operation id, status, code" per problem sent. Off unless configured. <c>./dataspace problem-codes</c> runs the test suite
/// with it on and turns what the suite saw into the per-operation lists the OpenAPI document gives
/// (<c>OpenApi/problem-codes.json</c>).
/// </summary>
internal sealed class ProblemCodeRecorder
{
    private readonly string? _path;
    private readonly Lock _gate = new();

    public ProblemCodeRecorder(IConfiguration configuration) => _path = configuration["Problems:RecordTo"] is { Length: > 0 } path ? path : null;

    public void Record(HttpContext http, int status, object? code)
    {
        if (_path is null || code is not string text || http.GetEndpoint()?.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName is not { } operation)
        {
            return;
        }

        lock (_gate)
        {
            File.AppendAllText(_path, $"{operation}\t{status}\t{text}\n");
        }
    }
}
