namespace MetaCluster.Bench.Capacity;

/// <summary>
/// What one capacity point measured, per measured step: the step's wall time, the coordinator
/// process's CPU time (its Kestrel, gRPC, rounds, folding, Adam and publishing work and the control
/// messages of every assignment, nothing of the workers', which run in another process), the simulated workers' CPU time, and the wall time of the
/// coordinator's two serial phases (publishing θ, applying the update), the managed bytes the
/// coordinator process allocated and its full (gen 2) collections; and over the point, the
/// coordinator's peak memory.
/// </summary>
public sealed record CapacityMeasurement(
    CapacityPoint Point,
    IReadOnlyList<double> StepSeconds,
    IReadOnlyList<double> CoordinatorCpuSeconds,
    IReadOnlyList<double> WorkerCpuSeconds,
    IReadOnlyList<double> PublishSeconds,
    IReadOnlyList<double> UpdateSeconds,
    IReadOnlyList<double> AllocatedBytes,
    IReadOnlyList<double> Gen2Collections,
    long WireBytesPerStep,
    long ParameterBytesPerStep,
    long BaselineWorkingSet,
    long PeakWorkingSet,
    long PeakManagedHeap);
