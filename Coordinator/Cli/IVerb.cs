using System.CommandLine;

namespace MetaCluster.Coordinator.Cli;

/// <summary>
/// A verb of the Coordinator executable (<c>Coordinator VERB [options]</c>): its options, help and
/// action. <see cref="CommandLine"/> finds every implementation in this assembly, so adding a verb
/// is adding one file.
/// </summary>
public interface IVerb
{
    /// <summary>Where the verb is listed in the root help, lower first.</summary>
    int Order { get; }

    /// <summary>A new command for the verb.</summary>
    Command Create();
}
