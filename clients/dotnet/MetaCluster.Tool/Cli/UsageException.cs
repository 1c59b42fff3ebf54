namespace MetaCluster.Tool.Cli;

/// <summary>Bad input found by the tool itself: printed as one <c>error: …</c> line, exit code 2.</summary>
public sealed class UsageException(string message) : Exception(message);

/// <summary>The tool's exit codes.</summary>
public static class ExitCodes
{
    /// <summary>Done; for a run, it completed.</summary>
    public const int Ok = 0;

    /// <summary>The run failed or was stopped, or the coordinator could not be reached or broke down.</summary>
    public const int Failed = 1;

    /// <summary>Bad input: an unknown or malformed option, or the coordinator's verdict on the request (invalid, unknown run, credentials).</summary>
    public const int Usage = 2;

    /// <summary>Interrupted (Ctrl+C).</summary>
    public const int Interrupted = 130;
}
