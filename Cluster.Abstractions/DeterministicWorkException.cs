namespace MetaCluster.Abstractions;

/// <summary>
/// A worker could not run its work for a reason that would be the same on any worker and at any
/// attempt: bad data (a malformed image, a class with too few examples, a CSV cell that is not a
/// number), a definition the worker cannot follow. The coordinator fails the run at once with this
/// message instead of retrying; transient faults (a worker gone, a timeout) are retried.
/// </summary>
[GenerateSerializer, Alias("MetaCluster.DeterministicWorkException")]
public sealed class DeterministicWorkException : Exception
{
    /// <summary>For the serializer.</summary>
    public DeterministicWorkException() { }

    /// <summary>Fails the work with <paramref name="message"/> (one line; it reaches remote users).</summary>
    public DeterministicWorkException(string message) : base(message) { }

    /// <summary>Wraps <paramref name="inner"/>, keeping the first line of its message.</summary>
    public DeterministicWorkException(string message, Exception inner) : base(message, inner) { }
}
