namespace MetaCluster.Tests.PythonClient;

/// <summary>
/// The interpreter the client's tests run under: <c>METACLUSTER_PYTHON</c>, else <c>/usr/bin/python3</c>
/// (Debian's, where apt installs python3-grpcio, python3-numpy and python3-pytest; a pyenv or venv
/// python on PATH usually lacks them). <see cref="Missing"/> says why it cannot run them, or is null.
/// </summary>
public sealed record PythonInterpreter(string Path, string? Missing)
{
    /// <summary>The variable naming another interpreter.</summary>
    public const string Variable = "METACLUSTER_PYTHON";

    private const string Install =
        "install them with Deploy/scripts/ensure-python-client-deps.sh (apt: python3-grpcio python3-numpy python3-pytest python3-protobuf), or point METACLUSTER_PYTHON at an interpreter that has them";

    /// <summary>Finds the interpreter and checks that it imports what the client and its tests need.</summary>
    public static async Task<PythonInterpreter> FindAsync()
    {
        string path = Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } chosen ? chosen : "/usr/bin/python3";
        var probe = await PythonProcess.RunAsync(path, ["-c", "import grpc, google.protobuf, numpy, pytest"], Environment.CurrentDirectory,
            new Dictionary<string, string?>(), TimeSpan.FromMinutes(1));
        if (probe.ExitCode == 0) return new PythonInterpreter(path, null);
        string why = probe.Output.Trim().Split('\n').LastOrDefault() ?? "";
        return new PythonInterpreter(path, $"{path} cannot run the Python client's tests ({why}): {Install}");
    }
}
