using System.Globalization;
using System.Text.Json;

namespace DataSpace.Bench;

/// <summary>The subcommands; each returns the process's exit code (0 done, 1 failed, 2 wrong usage).</summary>
internal static class Commands
{
    public const string Usage = """
        usage: DataSpace.Bench <command> ...
          json [--default VALUE] PATH        the value at PATH (.items[0].id, access_token) in the JSON text on stdin:
                                             strings unquoted, numbers as written, objects and arrays as JSON; absent or
                                             null: VALUE when given, else a message and exit 1
          count PATH                         how many elements the array at PATH (on stdin) has
          record RESULTS KEY VALUE           store a figure (number, true/false, text; empty = null) in RESULTS (JSON);
                                             a KEY ending in _runs holds the runs behind a median: VALUE is split at
                                             spaces into a list
          note RESULTS TEXT                  append a note to RESULTS
          get RESULTS KEY                    a figure recorded earlier (exit 1 when there is none)
          median VALUE...                    the median of numbers (the lower one of an even count), as written
          max VALUE...                       the largest of numbers, as written
          report RESULTS [--size-mib N] [--runs N] [--connections N] [--duration S] [--azurite-row]
                 [--load-before TEXT] [--failed-phases TEXT] [--started-at UNIX_SECONDS] [--root DIR]
                                             print the table and write it, with every figure and note, into RESULTS
        """;

    public static int Run(string[] args, TextReader stdin, TextWriter stdout, TextWriter stderr)
    {
        try
        {
            return args switch
            {
                ["json", "--default", var fallback, var path] => Json(stdin, stdout, stderr, path, fallback),
                ["json", var path] => Json(stdin, stdout, stderr, path, null),
                ["count", var path] => Count(stdin, stdout, stderr, path),
                ["record", var file, var key, var value] => Update(file, results => results.Record(key, value)),
                ["note", var file, var text] => Update(file, results => results.Note(text)),
                ["get", var file, var key] => Get(stdout, stderr, file, key),
                ["median", .. var values] when values.Length > 0 => Print(stdout, Numbers.Median(values)),
                ["max", .. var values] when values.Length > 0 => Print(stdout, Numbers.Max(values)),
                ["report", var file, .. var options] => WriteReport(stdout, stderr, file, options),
                _ => Fail(stderr, Usage, 2),
            };
        }
        catch (Exception e) when (e is JsonException or FormatException or ArgumentException or IOException)
        {
            return Fail(stderr, $"DataSpace.Bench {string.Join(' ', args.Take(1))}: {e.Message}", 1);
        }
    }

    private static int Json(TextReader stdin, TextWriter stdout, TextWriter stderr, string path, string? fallback)
    {
        using var document = JsonDocument.Parse(stdin.ReadToEnd());
        if (JsonPath.TryFind(document.RootElement, path, out var value, out var missing))
        {
            return Print(stdout, JsonPath.Text(value));
        }

        return fallback is not null
            ? Print(stdout, fallback)
            : Fail(stderr, $"DataSpace.Bench json: {missing} in: {Excerpt(document.RootElement)}", 1);
    }

    private static int Count(TextReader stdin, TextWriter stdout, TextWriter stderr, string path)
    {
        using var document = JsonDocument.Parse(stdin.ReadToEnd());
        if (!JsonPath.TryFind(document.RootElement, path, out var value, out var missing))
        {
            return Fail(stderr, $"DataSpace.Bench count: {missing} in: {Excerpt(document.RootElement)}", 1);
        }

        return value.ValueKind == JsonValueKind.Array
            ? Print(stdout, value.GetArrayLength().ToString(CultureInfo.InvariantCulture))
            : Fail(stderr, $"DataSpace.Bench count: {path} is {value.ValueKind.ToString().ToLowerInvariant()}, not an array", 1);
    }

    private static int Update(string file, Action<ResultsFile> change)
    {
        ResultsFile.Update(file, change);
        return 0;
    }

    private static int Get(TextWriter stdout, TextWriter stderr, string file, string key)
    {
        var value = ResultsFile.Load(file).Figure(key);
        return value is null ? Fail(stderr, $"DataSpace.Bench get: no figure {key} in {file}", 1) : Print(stdout, value);
    }

    private static int WriteReport(TextWriter stdout, TextWriter stderr, string file, string[] options)
    {
        if (!File.Exists(file))
        {
            return Fail(stderr, "bench: no results recorded", 1);
        }

        var settings = ReportSettings.Parse(options);
        ResultsFile.Update(file, results => stdout.Write(Report.Render(results, file, settings, TimeProvider.System)));
        return 0;
    }

    private static string Excerpt(JsonElement root)
    {
        var text = root.GetRawText();
        return text.Length <= 300 ? text : string.Concat(text.AsSpan(0, 300), "…");
    }

    private static int Print(TextWriter stdout, string text)
    {
        stdout.Write(text);
        stdout.Write('\n');
        return 0;
    }

    private static int Fail(TextWriter stderr, string message, int code)
    {
        stderr.Write(message);
        stderr.Write('\n');
        return code;
    }
}
