using System.Diagnostics;
using System.Text.RegularExpressions;

namespace MetaCluster.Tests.Deploy.Docs;

/// <summary>
/// What an executable of the repository accepts, read from its own <c>--help</c> (root and every
/// verb) in the build output next to this test's configuration: the projects are built before this
/// one (ProjectReference without the assembly), so the set follows whatever options they define.
/// </summary>
internal sealed partial class ExecutableHelp
{
    private ExecutableHelp(string name, IReadOnlySet<string> verbs, IReadOnlySet<string> options, IReadOnlyList<(string Verb, string Text)> texts)
    {
        Name = name;
        Verbs = verbs;
        Options = options;
        Texts = texts;
    }

    public string Name { get; }

    /// <summary>The help texts as printed: the root's (verb "") first, then each verb's in name order.</summary>
    public IReadOnlyList<(string Verb, string Text)> Texts { get; }

    /// <summary>The verbs the root help lists under Commands.</summary>
    public IReadOnlySet<string> Verbs { get; }

    /// <summary>Every <c>--option</c> any of its help texts names.</summary>
    public IReadOnlySet<string> Options { get; }

    /// <summary>Runs <c>dotnet PROJECT/bin/CONFIG/TFM/ASSEMBLY.dll [VERB] --help</c> for the root and each verb.</summary>
    public static async Task<ExecutableHelp> ReadAsync(string projectDirectory, string assemblyName)
    {
        var dll = BuiltAssembly(projectDirectory, assemblyName);
        var rootHelp = await HelpAsync(dll, []);
        var verbs = VerbsOf(rootHelp);
        var texts = new List<(string, string)> { ("", rootHelp) };
        foreach (var verb in verbs.Order(StringComparer.Ordinal)) texts.Add((verb, await HelpAsync(dll, [verb])));
        var options = new HashSet<string>(texts.SelectMany(t => OptionsOf(t.Item2)), StringComparer.Ordinal);
        return new ExecutableHelp(assemblyName, verbs, options, texts);
    }

    private static string BuiltAssembly(string projectDirectory, string assemblyName)
    {
        // This test runs from tests/Deploy.Tests/bin/CONFIG/TFM/: the executables share CONFIG and TFM.
        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var path = DeployFiles.InRepository(projectDirectory, "bin", output.Parent!.Name, output.Name, assemblyName + ".dll");
        Assert.True(File.Exists(path), $"{path} is missing: Deploy.Tests references {projectDirectory} so that it is built first; build the solution");
        return path;
    }

    private static async Task<string> HelpAsync(string dll, string[] verb)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(dll);
        foreach (var part in verb) start.ArgumentList.Add(part);
        start.ArgumentList.Add("--help");
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        var text = await stdout;
        Assert.True(process.ExitCode == 0, $"{Path.GetFileName(dll)} {string.Join(' ', verb)} --help exited with {process.ExitCode}:\n{text}{await stderr}");
        return text;
    }

    private static HashSet<string> VerbsOf(string help)
    {
        var verbs = new HashSet<string>(StringComparer.Ordinal);
        var inCommands = false;
        foreach (var line in help.Split('\n'))
        {
            if (line.StartsWith("Commands:", StringComparison.Ordinal))
            {
                inCommands = true;
                continue;
            }
            if (inCommands && VerbLine().Match(line) is { Success: true } match) verbs.Add(match.Groups[1].Value);
            else if (inCommands && line.Length > 0 && !char.IsWhiteSpace(line[0])) inCommands = false;
        }
        return verbs;
    }

    private static IEnumerable<string> OptionsOf(string help) => DocOptions.Pattern().Matches(help).Select(m => m.Groups[1].Value);

    [GeneratedRegex(@"^  ([a-z][a-z0-9-]*)\b")]
    private static partial Regex VerbLine();
}
