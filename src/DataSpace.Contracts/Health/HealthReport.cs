namespace DataSpace.Contracts.Health;

/// <summary>Readiness of the API and what it depends on.</summary>
/// <param name="Status">ready or not_ready.</param>
/// <param name="Checks">Each dependency (database, blob_store) with ok or the reason it failed.</param>
public sealed record HealthReport(string Status, IReadOnlyDictionary<string, string> Checks);
