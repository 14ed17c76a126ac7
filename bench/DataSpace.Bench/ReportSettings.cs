using System.Globalization;

namespace DataSpace.Bench;

/// <summary>What the report says about the run itself: the options of ./dataspace bench and the run's start.</summary>
internal sealed record ReportSettings
{
    public int SizeMib { get; init; } = 1024;
    public int Runs { get; init; } = 3;
    public int Connections { get; init; } = 64;
    public int DurationSeconds { get; init; } = 15;
    /// <summary>Whether the Azurite upload phase ran (its rows are printed only then).</summary>
    public bool AzuriteRow { get; init; }
    public string LoadBefore { get; init; } = "";
    public string FailedPhases { get; init; } = "";
    public long? StartedAtUnixSeconds { get; init; }
    /// <summary>The repository root: the "Written:" line names the results file relative to it.</summary>
    public string? Root { get; init; }

    /// <summary>The results file as the report names it: relative to <see cref="Root"/> when it lies inside.</summary>
    public string Shown(string file)
    {
        var full = Path.GetFullPath(file);
        return Root is not null && full.StartsWith(Path.GetFullPath(Root).TrimEnd('/') + "/", StringComparison.Ordinal)
            ? Path.GetRelativePath(Root, full)
            : file;
    }

    public static ReportSettings Parse(IReadOnlyList<string> options)
    {
        var settings = new ReportSettings();
        for (var i = 0; i < options.Count; i++)
        {
            var option = options[i];
            if (option == "--azurite-row")
            {
                settings = settings with { AzuriteRow = true };
                continue;
            }

            if (i + 1 >= options.Count)
            {
                throw new ArgumentException($"report: {option} needs a value");
            }

            var value = options[++i];
            settings = option switch
            {
                "--size-mib" => settings with { SizeMib = Whole(option, value) },
                "--runs" => settings with { Runs = Whole(option, value) },
                "--connections" => settings with { Connections = Whole(option, value) },
                "--duration" => settings with { DurationSeconds = Whole(option, value) },
                "--load-before" => settings with { LoadBefore = value },
                "--failed-phases" => settings with { FailedPhases = value },
                "--started-at" => settings with { StartedAtUnixSeconds = value.Length == 0 ? null : Whole(option, value) },
                "--root" => settings with { Root = value.Length == 0 ? null : value },
                _ => throw new ArgumentException($"report: unknown option {option}"),
            };
        }

        return settings;
    }

    private static int Whole(string option, string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n)
            ? n
            : throw new ArgumentException($"report: {option} needs a whole number, not '{value}'");
}
