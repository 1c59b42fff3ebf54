namespace MetaCluster.Testing.Learning;

/// <summary>
/// The two small Omniglot zips of the shared data folder, found by walking up from the test
/// binaries to a folder that has <c>shared/data/omniglot</c> beside it (the repository's parent
/// in a checkout, whatever the worktree), so the data is never copied into the repository.
/// </summary>
public static class OmniglotData
{
    public static string Folder { get; } = Locate();

    public static string Small1 => Path.Combine(Folder, "images_background_small1.zip");

    public static string Small2 => Path.Combine(Folder, "images_background_small2.zip");

    /// <summary>The alphabets of small1: the meta-training split the data's README suggests.</summary>
    public static string[] Small1Groups { get; } = ["Balinese", "Early_Aramaic", "Greek", "Korean", "Latin"];

    /// <summary>The alphabets of small2 that small1 lacks: the suggested meta-test split.</summary>
    public static string[] HeldOutGroups { get; } = ["Japanese_(katakana)", "Sanskrit", "Tagalog"];

    private static string Locate()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "data", "omniglot");
            if (Directory.Exists(candidate)) return candidate;
        }
        throw new DirectoryNotFoundException($"no shared/data/omniglot folder above {AppContext.BaseDirectory}");
    }
}
