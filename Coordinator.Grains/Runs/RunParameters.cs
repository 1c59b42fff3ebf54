using System.Runtime.InteropServices;
using MetaCluster.Abstractions;
using MetaCluster.Coordinator.Checkpoints;
using MetaCluster.Coordinator.DataPlane;
using MetaCluster.Coordinator.Steps;
using MetaCluster.Learning.Algorithms;
using MetaCluster.Learning.Models;
using MetaCluster.Learning.Optimisation;
using MetaCluster.Learning.Relations;
using static TorchSharp.torch;

namespace MetaCluster.Coordinator.Runs;

/// <summary>
/// A run's meta-parameters θ, its outer optimiser (Adam or SGD, with its schedule, clipping and
/// decay: <see cref="OuterOptimizer"/>), and the versions it has published: the run's only way to
/// publish (through <see cref="ParameterPublisher"/>), for its training steps and its evaluation.
/// With TRLearner the similarity layer W is appended to θ, so the optimiser and the checkpoints
/// cover it; workers get (and compute gradients for) only the model's part. Relays of a reduction
/// tree may copy the optimiser's state (not TRLearner's: W is never sent); updates and those copies
/// take turns under one lock, so a copy is never half of one step and half of the next.
/// </summary>
public sealed class RunParameters : IDisposable
{
    private readonly Lock gate = new();
    private readonly string runId;
    private readonly ParameterPublisher publisher;
    private readonly OuterOptimizer optimizer;
    private readonly long[] projectionShape;
    private long published = -1;
    private bool closed;

    private RunParameters(string runId, ParameterPublisher publisher, Tensor theta, int modelElements, long[] projectionShape, OuterOptimizerSettings outer,
        IReadOnlyList<TensorEntry> tensors, ModelArchitecture? model)
    {
        this.runId = runId;
        this.publisher = publisher;
        this.projectionShape = projectionShape;
        Theta = theta;
        ModelElements = modelElements;
        Tensors = tensors;
        Model = model;
        optimizer = new OuterOptimizer(outer);
        if (modelElements == theta.numel()) publisher.ShareOptimizerState(runId, CopyMoments);
    }

    /// <summary>θ (and W after it, with TRLearner), flat float32.</summary>
    public Tensor Theta { get; }

    /// <summary>Elements of the model's part of θ: what workers fetch and send gradients for.</summary>
    public int ModelElements { get; }

    /// <summary>Elements of θ, W included.</summary>
    public int Elements => (int)Theta.numel();

    /// <summary>θ's tensors in order, PyTorch-style (the algorithm's layout, then TRLearner's "tr.projections"): what checkpoints and the export name.</summary>
    public IReadOnlyList<TensorEntry> Tensors { get; }

    /// <summary>The model's architecture, recorded in checkpoints; null when the caller has no model.</summary>
    public ModelArchitecture? Model { get; }

    /// <summary>
    /// θ's initial value for <paramref name="run"/> (deterministic in its seed), with W appended when
    /// TRLearner is on; <paramref name="architecture"/> (default: described from <paramref name="model"/>)
    /// goes into every checkpoint.
    /// </summary>
    public static RunParameters Initialize(string runId, RunDefinition run, IMetaAlgorithm algorithm, IFunctionalModel model, ParameterPublisher publisher,
        ModelArchitecture? architecture = null)
    {
        var tr = run.TrLearner();
        long[] projectionShape = [tr.Heads, tr.ProjectionSize, model.FeatureSize];
        var modelPart = algorithm.InitializeMetaParameters(model, run.Seed);
        int modelElements = (int)modelPart.numel();
        long elements = modelElements + (tr.Enabled ? projectionShape.Aggregate(1L, (a, b) => a * b) : 0);
        var tensors = TensorEntry.ForRun(algorithm, model, tr, elements);
        architecture ??= ModelArchitecture.Describe(model);
        if (!tr.Enabled) return new RunParameters(runId, publisher, modelPart, modelElements, projectionShape, run.OuterOptimizer(), tensors, architecture);
        using (modelPart)
        using (var w = TaskSimilarity.InitializeProjections(tr.Heads, tr.ProjectionSize, model.FeatureSize, run.Seed))
            return new RunParameters(runId, publisher, cat([modelPart, w.flatten()]), modelElements, projectionShape, run.OuterOptimizer(), tensors, architecture);
    }

    /// <summary>
    /// The parameters of a run whose θ is <paramref name="theta"/> as given (flat float32 on the CPU,
    /// all of it the model's: no TRLearner layer), updated by plain Adam at <paramref name="outerLr"/>: for
    /// a caller that has no model to initialise from, such as the capacity benchmark, which drives
    /// the real steps with a θ of any size. Takes ownership of <paramref name="theta"/>.
    /// </summary>
    public static RunParameters ForParameters(string runId, Tensor theta, double outerLr, ParameterPublisher publisher)
    {
        if (theta.dim() != 1) throw new ArgumentException("θ must be flat", nameof(theta));
        int elements = checked((int)theta.numel());
        return new RunParameters(runId, publisher, theta, elements, [], new OuterOptimizerSettings(OuterOptimizerKind.Adam, outerLr), [new TensorEntry("theta", [elements])], null);
    }

    /// <summary>TRLearner's similarity layer W [H, D_proj, D]: a view of θ the caller disposes.</summary>
    public Tensor Projections() => Theta.narrow(0, ModelElements, Elements - ModelElements).reshape(projectionShape);

    /// <summary>Publishes θ's model part as <paramref name="version"/>, unless it is the version last published.</summary>
    public void Publish(long version)
    {
        if (published == version) return;
        lock (gate) publisher.Publish(runId, version, Theta, ModelElements, optimizer.Step);
        published = version;
    }

    /// <summary>Applies meta-step <paramref name="step"/>'s outcome with the outer optimiser and publishes the result as version <paramref name="step"/> + 1.</summary>
    public void Update(StepOutcome outcome, long step)
    {
        // A replica can replay only an update of the whole of θ that one relayed result made.
        var sole = ModelElements == Elements ? outcome.SoleRelayedResult : null;
        lock (gate) publisher.UpdateAndPublish(runId, step + 1, optimizer, Theta, outcome.Gradient.Values, outcome.Divisor, ModelElements, sole);
        published = step + 1;
    }

    /// <summary>The model's part of θ, copied.</summary>
    public float[] ModelValues() => Theta.data<float>().ToArray()[..ModelElements];

    /// <summary>
    /// A checkpoint of θ and the optimiser at <paramref name="step"/>: its update count (which the
    /// schedule is a function of) and Adam's moments; SGD, clipping and decay keep no other state.
    /// </summary>
    public Checkpoint Snapshot(RunDefinition run, long step)
    {
        lock (gate)
            return new Checkpoint(runId, run, step, optimizer.Step, Theta.data<float>().ToArray(),
                optimizer.FirstMoment?.ToArray(), optimizer.SecondMoment?.ToArray()) { Tensors = Tensors, Model = Model };
    }

    /// <summary>Restores θ and the optimiser from <paramref name="checkpoint"/>; returns the step it was taken at.</summary>
    public int Restore(Checkpoint checkpoint)
    {
        if (checkpoint.Theta.Length != Elements)
            throw new InvalidDataException($"checkpoint of step {checkpoint.Step} holds {checkpoint.Theta.Length} parameters; this run's model has {Elements}");
        lock (gate)
        {
            using (no_grad()) Theta.copy_(tensor(checkpoint.Theta));
            optimizer.Restore(checkpoint.AdamStep, checkpoint.FirstMoment?.ToArray(), checkpoint.SecondMoment?.ToArray(), Elements);
        }
        // θ changed: the next Publish must publish, even under the version last published (the final evaluation of the best θ).
        published = long.MinValue;
        return (int)checkpoint.Step;
    }

    // Copies of the moments' float32 bytes if the optimiser is still at exactly optimizerStep updates (none: SGD, or before Adam's first).
    private (byte[]? FirstMoment, byte[]? SecondMoment)? CopyMoments(long optimizerStep)
    {
        lock (gate)
        {
            if (closed || optimizer.Step != optimizerStep) return null;
            if (optimizer.FirstMoment is not { } m || optimizer.SecondMoment is not { } v) return (null, null);
            return (MemoryMarshal.AsBytes(m.AsSpan()).ToArray(), MemoryMarshal.AsBytes(v.AsSpan()).ToArray());
        }
    }

    /// <summary>Withdraws the run's published versions and frees θ.</summary>
    public void Dispose()
    {
        lock (gate) closed = true;
        publisher.Remove(runId);
        Theta.Dispose();
    }
}
