namespace DataSpace.Api.Problems;

/// <summary>Collects field errors keyed by JSON name, so one response names every bad field at once.</summary>
internal sealed class Validation
{
    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    public bool IsValid => _errors.Count == 0;

    public Validation Add(string field, string message)
    {
        if (!_errors.TryGetValue(field, out var list))
        {
            _errors[field] = list = [];
        }

        list.Add(message);
        return this;
    }

    /// <summary>Requires a non-blank string of at most <paramref name="maxLength"/> characters; returns it trimmed.</summary>
    public string RequiredText(string field, string? value, int maxLength, bool multiline = false)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            Add(field, "is required and must not be blank");
            return "";
        }

        var trimmed = value.Trim();
        if (trimmed.Length > maxLength)
        {
            Add(field, $"must be at most {maxLength} characters");
        }

        if (trimmed.Any(c => char.IsControl(c) && !(multiline && c is '\n' or '\r' or '\t')))
        {
            Add(field, "must not contain control characters");
        }

        return trimmed;
    }

    public ProblemHttpResult ToProblem() =>
        Problem.Validation(_errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal));
}
