namespace MetaCluster.Testing.Learning;

/// <summary>
/// The two small Omniglot zips, looked for in the folder <c>METACLUSTER_OMNIGLOT</c> names, else in
/// a <c>shared/data/omniglot</c> folder found by walking up from the test binaries (the repository's
/// parent in a checkout, whatever the worktree), so the data is never copied into the repository.
/// Where they are missing, a test that asks for them is skipped, saying what is missing and how to
/// get it: a checkout without the data must not fail, nor pass without having looked at the images.
/// </summary>
public static class OmniglotData
{
    public const string Variable = "METACLUSTER_OMNIGLOT";

    private static readonly string[] Zips = ["images_background_small1.zip", "images_background_small2.zip"];

    private static readonly Lazy<(string? Folder, string? Missing)> Located = new(Locate);

    /// <summary>Why the data cannot be used, with how to get it; null where both zips are there.</summary>
    public static string? Missing => Located.Value.Missing;

    /// <summary>The folder holding both zips; skips the calling test where there is none.</summary>
    public static string Folder
    {
        get
        {
            if (Missing is { } missing) Assert.Skip(missing);
            return Located.Value.Folder!;
        }
    }

    public static string Small1 => Path.Combine(Folder, Zips[0]);

    public static string Small2 => Path.Combine(Folder, Zips[1]);

    /// <summary>The alphabets of small1: the meta-training split the data's README suggests.</summary>
    public static string[] Small1Groups { get; } = ["Balinese", "Early_Aramaic", "Greek", "Korean", "Latin"];

    /// <summary>The alphabets of small2 that small1 lacks: the suggested meta-test split.</summary>
    public static string[] HeldOutGroups { get; } = ["Japanese_(katakana)", "Sanskrit", "Tagalog"];

    private static (string? Folder, string? Missing) Locate()
    {
        string? named = Environment.GetEnvironmentVariable(Variable);
        if (!string.IsNullOrWhiteSpace(named))
            return Lacking(named) is { } lacking ? (null, $"{Variable}={named} lacks {lacking}. {HowToGet}") : (named, null);

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "data", "omniglot");
            if (!Directory.Exists(candidate)) continue;
            return Lacking(candidate) is { } lacking ? (null, $"{candidate} lacks {lacking}. {HowToGet}") : (candidate, null);
        }
        return (null, $"Omniglot data not found: {Variable} is not set and there is no shared/data/omniglot folder above {AppContext.BaseDirectory}. {HowToGet}");
    }

    private static string? Lacking(string folder)
    {
        var absent = Zips.Where(zip => !File.Exists(Path.Combine(folder, zip))).ToArray();
        return absent.Length == 0 ? null : string.Join(" and ", absent);
    }

    private const string HowToGet =
        "Get images_background_small1.zip and images_background_small2.zip from the python/ folder of the public " +
        "brendenlake/omniglot repository (MIT licence) and put them in shared/data/omniglot beside the checkout " +
        "(../shared/data/omniglot from the repository root), or set " + Variable + " to the folder that holds them.";
}
