using System.Xml.Linq;

namespace MetaCluster.Tests.Deploy;

/// <summary>
/// The container images' build files. No Docker engine is needed: these read the Dockerfiles;
/// the images themselves are built by Deploy/build-images.sh.
/// </summary>
public sealed class DockerfileTests
{
    public static TheoryData<string, string> Images => new()
    {
        { "Deploy/docker/coordinator.Dockerfile", "Coordinator/Coordinator.csproj" },
        { "Deploy/docker/worker.Dockerfile", "TaskWorker/TaskWorker.csproj" },
    };

    [Theory]
    [MemberData(nameof(Images))]
    public void ImageIsMultiStageAndRunsWithoutTheSdk(string dockerfile, string project)
    {
        var file = Dockerfile.Load(dockerfile);

        Assert.True(file.Stages.Count >= 2, $"{dockerfile}: one stage only");
        var build = file.StageNamed("build");
        Assert.StartsWith("mcr.microsoft.com/dotnet/sdk:", file.Expand(file.Stages[build].From));
        Assert.Contains(file.InStage(build), i => i.Keyword == "RUN" && i.Arguments.Contains($"dotnet publish {project} -c Release -o /app", StringComparison.Ordinal));
        // The image ships the publish output only, not the SDK or the sources.
        Assert.DoesNotContain("dotnet/sdk", file.Expand(file.Stages[file.FinalStage].From), StringComparison.Ordinal);
        Assert.Contains(file.InStage(file.FinalStage), i => i.Keyword == "COPY" && i.Arguments.StartsWith("--from=build /app", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Images))]
    public void ImageRunsAsUid10001(string dockerfile, string project)
    {
        _ = project;
        var file = Dockerfile.Load(dockerfile);

        var user = Assert.Single(file.InStage(file.FinalStage), i => i.Keyword == "USER");
        Assert.Equal("10001:10001", user.Arguments);
        // USER comes after the last RUN and COPY, so nothing later in the image runs as root.
        var final = file.InStage(file.FinalStage).ToList();
        Assert.True(final.IndexOf(user) > final.FindLastIndex(i => i.Keyword is "RUN" or "COPY"), $"{dockerfile}: RUN or COPY after USER");
        Assert.Contains(final, i => i.Keyword == "RUN" && i.Arguments.Contains("useradd --system --uid 10001", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Images))]
    public void ImageHasAHealthCheckLabelsAndAnEntryPoint(string dockerfile, string project)
    {
        var file = Dockerfile.Load(dockerfile);
        var final = file.InStage(file.FinalStage).ToList();

        var healthcheck = Assert.Single(final, i => i.Keyword == "HEALTHCHECK");
        Assert.DoesNotContain("NONE", healthcheck.Arguments, StringComparison.Ordinal);
        Assert.Contains("CMD [\"/usr/local/bin/metacluster-healthcheck\"]", healthcheck.Arguments);
        Assert.Contains(final, i => i.Keyword == "COPY" && i.Arguments.Contains("Deploy/docker/healthcheck.sh /usr/local/bin/metacluster-healthcheck", StringComparison.Ordinal));
        Assert.True(File.Exists(DeployFiles.InRepository("Deploy", "docker", "healthcheck.sh")));

        Assert.Contains(final, i => i.Keyword == "LABEL" && i.Arguments.Contains("org.opencontainers.image.title=", StringComparison.Ordinal));
        Assert.Contains(final, i => i.Keyword == "LABEL" && i.Arguments.Contains("org.opencontainers.image.version=", StringComparison.Ordinal));
        var assembly = Path.GetFileNameWithoutExtension(project);
        Assert.Contains(final, i => i.Keyword == "ENTRYPOINT" && i.Arguments == $"[\"dotnet\", \"/app/{assembly}.dll\"]");
    }

    [Theory]
    [MemberData(nameof(Images))]
    public void RestoreRunsFromProjectFilesBeforeTheSourcesAreCopied(string dockerfile, string project)
    {
        var file = Dockerfile.Load(dockerfile);
        var build = file.InStage(file.StageNamed("build")).ToList();

        var restore = build.FindIndex(i => i.Keyword == "RUN" && i.Arguments.Contains($"dotnet restore {project}", StringComparison.Ordinal));
        var sources = build.FindIndex(i => i.Keyword == "COPY" && i.Arguments == ". .");
        Assert.True(restore >= 0, $"{dockerfile}: no `dotnet restore {project}`");
        Assert.True(sources > restore, $"{dockerfile}: the sources are copied before the restore, so every change refetches packages");

        var copiedFirst = build.Take(restore).Where(i => i.Keyword == "COPY").Select(i => i.Arguments).ToList();
        // Everything restore evaluates: the central props and targets, the build tasks, and every project in the reference graph.
        var needed = new[] { "global.json", "Directory.Build.props", "Directory.Build.targets", "Directory.Packages.props", "build/" }
            .Concat(ProjectClosure(project));
        foreach (var path in needed)
        {
            Assert.True(copiedFirst.Any(c => c.Split(' ').Contains(path)), $"{dockerfile}: {path} is not copied before the restore");
        }
    }

    [Fact]
    public void WorkerImageSelectsCpuOrCudaFromOneBuildArgument()
    {
        var file = Dockerfile.Load("Deploy/docker/worker.Dockerfile");

        Assert.Equal("cpu", file.GlobalArgs["TORCH_BACKEND"]);
        Assert.Equal("base-${TORCH_BACKEND}", file.Stages[file.FinalStage].From);
        var cpu = file.Stages[file.StageNamed("base-cpu")];
        var cuda = file.Stages[file.StageNamed("base-cuda")];
        Assert.StartsWith("mcr.microsoft.com/dotnet/", file.Expand(cpu.From));
        Assert.Matches(@"^nvidia/cuda:12\.\d+\.\d+-[a-z-]+-ubuntu\d+\.\d+$", file.Expand(cuda.From));
        // The CUDA base gets the .NET runtime from the official image.
        Assert.Contains(file.InStage(file.StageNamed("base-cuda")), i => i.Keyword == "COPY" && i.Arguments.Contains("/usr/share/dotnet /usr/share/dotnet", StringComparison.Ordinal));

        var build = file.InStage(file.StageNamed("build")).ToList();
        Assert.Contains(build, i => i.Keyword == "RUN" && i.Arguments.Contains("dotnet restore", StringComparison.Ordinal) && i.Arguments.Contains("-p:TorchBackend=${TORCH_BACKEND}", StringComparison.Ordinal));
        Assert.Contains(build, i => i.Keyword == "RUN" && i.Arguments.Contains("dotnet publish", StringComparison.Ordinal) && i.Arguments.Contains("-p:TorchBackend=${TORCH_BACKEND}", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Images))]
    public void BaseImagesArePinnedToAVersion(string dockerfile, string project)
    {
        _ = project;
        var file = Dockerfile.Load(dockerfile);
        var stageNames = file.Stages.Select(s => s.Name).OfType<string>().ToHashSet();

        foreach (var stage in file.Stages.Where(s => !stageNames.Contains(s.From) && !s.From.StartsWith("base-", StringComparison.Ordinal)))
        {
            var image = file.Expand(stage.From);
            var tag = image.Contains(':', StringComparison.Ordinal) ? image[(image.LastIndexOf(':') + 1)..] : "";
            Assert.False(tag is "" or "latest", $"{dockerfile}: FROM {image} is not pinned");
        }
    }

    [Fact]
    public void DockerignoreKeepsBuildOutputHistoryAndSecretsOutOfTheContext()
    {
        var patterns = DeployFiles.Read(".dockerignore").Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();

        foreach (var required in new[] { "**/bin/", "**/obj/", "**/runs/", ".git/", "tests/", "helm/", "Deploy/" })
        {
            Assert.Contains(required, patterns);
        }
        // Deploy/ (with cluster.env) is excluded, except the one file the images copy.
        Assert.Contains("!Deploy/docker/healthcheck.sh", patterns);
        Assert.True(patterns.IndexOf("!Deploy/docker/healthcheck.sh") > patterns.IndexOf("Deploy/"), "the exception must follow the exclusion");
    }

    /// <summary>The project and every project it references, transitively, as repository-relative paths.</summary>
    private static SortedSet<string> ProjectClosure(string project)
    {
        var seen = new SortedSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>([project]);
        while (pending.TryPop(out var next))
        {
            if (!seen.Add(next))
            {
                continue;
            }
            var directory = Path.GetDirectoryName(DeployFiles.InRepository(next.Split('/')))!;
            foreach (var reference in XDocument.Load(DeployFiles.InRepository(next.Split('/'))).Descendants("ProjectReference"))
            {
                var full = Path.GetFullPath(Path.Combine(directory, reference.Attribute("Include")!.Value.Replace('\\', '/')));
                pending.Push(Path.GetRelativePath(DeployFiles.RepositoryRoot, full).Replace('\\', '/'));
            }
        }
        return seen;
    }
}
