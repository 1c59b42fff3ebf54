using MetaCluster.Testing.Processes;
using MetaCluster.ServiceDefaults.Options;

namespace MetaCluster.Bench.Throughput;

/// <summary>
/// The Omniglot images the benchmark configurations read: <paramref name="Train"/> is
/// <c>images_background_small1.zip</c> (all its 136 classes are meta-training classes, as in the
/// PyTorch reference); <paramref name="HeldOut"/> (<c>images_background_small2.zip</c>, when it lies
/// beside it) only gives the task family a held-out split other than small1's own alphabets.
/// </summary>
public sealed record OmniglotSources(string Train, string? HeldOut)
{
    /// <summary>
    /// The sources for the configurations <paramref name="configs"/> (null when none reads
    /// Omniglot): <c>--omniglot-zip</c>, or the default file; a missing file is a usage error.
    /// </summary>
    public static OmniglotSources? Resolve(BenchSettings settings, IReadOnlyList<string> configs)
    {
        if (!configs.Any(n => n.StartsWith("omniglot-", StringComparison.Ordinal))) return null;
        string zip = settings.OptionalString("omniglot-zip") ?? FindDefault()
            ?? throw new UsageException("--omniglot-zip: no shared/data/omniglot/images_background_small1.zip above the repository; give the file, or leave out the Omniglot configurations");
        return File.Exists(zip) ? For(zip) : throw new UsageException($"--omniglot-zip: no file '{zip}'");
    }

    /// <summary>The default file: <c>shared/data/omniglot/images_background_small1.zip</c> above the repository (or the running assembly).</summary>
    public static string? FindDefault()
    {
        foreach (var start in new[] { RepositoryLayout.FindRoot(), AppContext.BaseDirectory, Environment.CurrentDirectory })
        {
            for (var dir = start is null ? null : new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                string candidate = Path.Combine(dir.FullName, "shared", "data", "omniglot", "images_background_small1.zip");
                if (File.Exists(candidate)) return candidate;
            }
        }
        return null;
    }

    /// <summary>The sources for <paramref name="train"/>, with small2 beside it as the held-out set when present.</summary>
    public static OmniglotSources For(string train)
    {
        string full = Path.GetFullPath(train);
        string small2 = Path.Combine(Path.GetDirectoryName(full)!, "images_background_small2.zip");
        return new OmniglotSources(full, File.Exists(small2) && small2 != full ? small2 : null);
    }
}
