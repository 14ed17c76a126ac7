using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace DataSpace.Bench;

/// <summary>
/// .dataspace/bench/results.json: <c>figures</c> (key → number, bool, text or array, in the order first recorded) and
/// <c>notes</c> while the phases run; the report adds <c>generated_at</c>, <c>settings</c> and <c>rows</c>.
/// </summary>
internal sealed partial class ResultsFile
{
    private static readonly JsonSerializerOptions Written = new()
    {
        WriteIndented = true,
        // Chinese scenario names and notes stay readable in the file.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private ResultsFile(JsonObject root)
    {
        Root = root;
        Figures = root["figures"] as JsonObject ?? throw new JsonException("the results file has no \"figures\" object");
        Notes = root["notes"] as JsonArray ?? throw new JsonException("the results file has no \"notes\" array");
    }

    public JsonObject Root { get; private set; }

    public JsonObject Figures { get; }

    public JsonArray Notes { get; }

    public static ResultsFile Load(string file) =>
        File.Exists(file)
            ? new ResultsFile(JsonNode.Parse(File.ReadAllText(file)) as JsonObject ?? throw new JsonException($"{file} is not a JSON object"))
            : new ResultsFile(new JsonObject { ["figures"] = new JsonObject(), ["notes"] = new JsonArray() });

    /// <summary>Load, change, write back (a new file renamed over the old), under a lock so that no change is lost.</summary>
    public static void Update(string file, Action<ResultsFile> change)
    {
        using var _ = Lock(file);
        var results = Load(file);
        change(results);
        var temporary = file + ".tmp";
        File.WriteAllText(temporary, results.Root.ToJsonString(Written) + "\n");
        File.Move(temporary, file, overwrite: true);
    }

    /// <summary>Sets a figure (recorded again: the new value, in the old place); <c>*_runs</c> keys hold lists.</summary>
    public void Record(string key, string value) =>
        Figures[CheckKey(key)] = key.EndsWith("_runs", StringComparison.Ordinal)
            ? new JsonArray([.. value.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(Typed)])
            : Typed(value);

    public void Note(string text) => Notes.Add(text);

    /// <summary>Replaces the whole document, keeping figures and notes as they are (the report's final shape).</summary>
    public void Replace(JsonObject root) => Root = root;

    /// <summary>A figure as text (numbers as written, arrays space-separated), or null when absent or null.</summary>
    public string? Figure(string key) => Figures[key] switch
    {
        null => null,
        JsonArray list => string.Join(' ', list.Select(item => item is null ? "" : Text(item))),
        var node => Text(node),
    };

    /// <summary>Numbers stay numbers as written, true/false booleans, empty null, anything else text.</summary>
    public static JsonNode? Typed(string value) => value switch
    {
        "" => null,
        "true" => JsonValue.Create(true),
        "false" => JsonValue.Create(false),
        _ when PlainNumber().IsMatch(value) => JsonNode.Parse(value),
        _ => JsonValue.Create(value),
    };

    [GeneratedRegex(@"^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?\z")]
    public static partial Regex PlainNumber();

    private static string Text(JsonNode node) => node.GetValueKind() switch
    {
        JsonValueKind.String => node.GetValue<string>(),
        _ => node.ToJsonString(),
    };

    private static string CheckKey(string key) =>
        KeyForm().IsMatch(key) ? key : throw new ArgumentException($"a figure's key is lower-case letters, digits and _, not '{key}'");

    [GeneratedRegex(@"^[a-z0-9_]+\z")]
    private static partial Regex KeyForm();

    private static FileStream Lock(string file)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return new FileStream(file + ".lock", FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (attempt < 200)
            {
                Thread.Sleep(50);
            }
        }
    }
}
