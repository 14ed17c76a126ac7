using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace DataSpace.Bench;

/// <summary>
/// Paths like <c>.items[0].id</c>, <c>access_token</c> or <c>files[0].profile.status</c> (the leading dot is optional;
/// <c>.</c> alone is the whole document): member names and array indexes, nothing more.
/// </summary>
internal static partial class JsonPath
{
    /// <summary>Finds the value at <paramref name="path"/>; a JSON null counts as absent. <paramref name="missing"/> says what was not there.</summary>
    public static bool TryFind(JsonElement root, string path, out JsonElement value, out string missing)
    {
        value = root;
        missing = "";
        var walked = "";
        foreach (var step in Steps(path))
        {
            if (step.Name is { } name)
            {
                walked += "." + name;
                if (value.ValueKind != JsonValueKind.Object || !value.TryGetProperty(name, out value))
                {
                    missing = $"no {walked}";
                    return false;
                }
            }
            else
            {
                var index = step.Index;
                walked += $"[{index}]";
                if (value.ValueKind != JsonValueKind.Array || index >= value.GetArrayLength())
                {
                    missing = $"no {walked}";
                    return false;
                }

                value = value[index];
            }
        }

        if (value.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined)
        {
            missing = $"{(walked.Length == 0 ? "the document" : walked)} is null";
            return false;
        }

        return true;
    }

    /// <summary>The value as a shell wants it: strings without quotes, numbers as written, objects and arrays as JSON.</summary>
    public static string Text(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString()!,
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => value.GetRawText(),
    };

    private readonly record struct Step(string? Name, int Index);

    private static List<Step> Steps(string path)
    {
        if (!PathForm().IsMatch(path))
        {
            throw new FormatException($"path '{path}': expected member names and indexes, like .items[0].id");
        }

        var steps = new List<Step>();
        foreach (Match token in PathToken().Matches(path))
        {
            steps.Add(token.Groups[1].Success
                ? new Step(null, int.Parse(token.Groups[1].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture))
                : new Step(token.Groups[2].Value, 0));
        }

        return steps;
    }

    [GeneratedRegex(@"^\.?(?:[^.\[\]]+|\[[0-9]{1,9}\])?(?:\.[^.\[\]]+|\[[0-9]{1,9}\])*\z")]
    private static partial Regex PathForm();

    [GeneratedRegex(@"\[([0-9]+)\]|([^.\[\]]+)")]
    private static partial Regex PathToken();
}
