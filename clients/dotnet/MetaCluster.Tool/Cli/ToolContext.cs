namespace MetaCluster.Tool.Cli;

/// <summary>Where a verb writes and where it reads the environment: the console and the process's variables, or a test's.</summary>
/// <param name="Out">Results (text or JSON).</param>
/// <param name="Error">Error lines.</param>
/// <param name="Environment">Reads an environment variable (METACLUSTER_COORDINATOR, METACLUSTER_TOKEN).</param>
public sealed record ToolContext(TextWriter Out, TextWriter Error, Func<string, string?> Environment);
