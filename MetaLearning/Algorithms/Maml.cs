using MetaCluster.Learning.Diagnostics;
using MetaCluster.Learning.Fused;
using MetaCluster.Learning.Models;
using MetaCluster.Learning.Parameters;
using MetaCluster.Learning.Tasks;
using static TorchSharp.torch;

namespace MetaCluster.Learning.Algorithms;

/// <summary>
/// MAML (Finn et al., 2017): θ_i = θ − α∇ℓ(S_i; θ), k times; outer loss Σ_i ℓ(Q_i; θ_i).
/// Second order differentiates through the inner steps (create_graph); first order treats the
/// inner gradients as constants. All tasks of a shard adapt at once: the weights carry a leading
/// task dimension, so θ is broadcast to [T, …] and each task's fast weights are a slice of one tensor.
/// With <paramref name="fusedKernels"/>, training shards of ReLU-MLP regression on the CPU go
/// through <see cref="FusedMlpMaml"/> (hand-derived gradients and Hessian-vector products, SIMD
/// across tasks) instead of autograd; same outcome, tested against this autograd path.
/// <para>
/// MAML++ options (Antoniou et al., 2019; <see cref="InnerLoopSettings"/>), off by default and
/// always on the autograd path: the multi-step loss makes each task's outer loss the mean of its
/// query losses after steps 1..k (the paper's initial, uniform weights; they are not annealed
/// here); learned rates append to θ one rate per layer entry per inner step (<see cref="MetaLayout"/>:
/// "lr.step{j}." + entry name, each of shape [1], starting at α), trained by the outer optimiser.
/// An evaluation past k steps keeps using step k's rates.
/// </para>
/// </summary>
public sealed class Maml(InnerLoopSettings inner, bool firstOrder, bool fusedKernels = true) : IMetaAlgorithm
{
    /// <inheritdoc/>
    public string Name => firstOrder ? "fomaml" : "maml";

    /// <summary>Prefix of the learned-rate entries in <see cref="MetaLayout"/>.</summary>
    public const string RatePrefix = "lr.";

    /// <summary>The inner loop.</summary>
    public InnerLoopSettings Inner => inner;

    // Rows of learned rates: one per inner step (at least one, so evaluation has rates to use).
    private int RateSteps => Math.Max(1, inner.Steps);

    /// <inheritdoc/>
    public ParameterLayout MetaLayout(IFunctionalModel model)
    {
        if (!inner.LearnedRates) return model.Layout;
        var layout = new ParameterLayout();
        foreach (var e in model.Layout.Entries) layout.Add(e.Name, e.Shape);
        for (int step = 0; step < RateSteps; step++)
            foreach (var e in model.Layout.Entries) layout.Add($"{RatePrefix}step{step}.{e.Name}", 1);
        return layout;
    }

    /// <inheritdoc/>
    public Tensor InitializeMetaParameters(IFunctionalModel model, ulong seed, ScalarType dtype = ScalarType.Float32)
    {
        if (!inner.LearnedRates) return model.Initialize(seed, dtype);
        using var scope = NewDisposeScope();
        var rates = full(RateSteps * model.Layout.Entries.Count, inner.LearningRate, dtype: dtype);
        return cat([model.Initialize(seed, dtype), rates]).MoveToOuterDisposeScope();
    }

    /// <inheritdoc/>
    public AdaptedTasks Adapt(IFunctionalModel model, Tensor theta, TaskBatch batch)
    {
        using var scope = NewDisposeScope();
        var meta = theta.detach().requires_grad_(true);
        var all = InnerLoop.AllEntries(model);
        var (start, rates) = Split(model, meta);
        var fast = InnerLoop.Broadcast(model, start, batch.Count);
        var stepLosses = new List<Tensor>();
        for (int step = 0; step < inner.Steps; step++)
        {
            var loss = InnerLoop.SupportLoss(model, fast, batch, createGraph: !firstOrder);
            int row = step;
            fast = InnerLoop.Step(loss, fast, all, (e, g) => Rate(rates, row, e, g), createGraph: !firstOrder);
            if (inner.MultiStepLoss && step < inner.Steps - 1)
                stepLosses.Add(TaskLosses.PerSample(batch.Kind, model.Forward(fast, batch.QueryX), batch.QueryY).mean([1]));
        }

        var features = model.Features(fast, batch.QueryX);
        var outputs = model.Head(fast, features);
        Tensor? outer = null;
        if (stepLosses.Count > 0)
        {
            stepLosses.Add(TaskLosses.PerSample(batch.Kind, outputs, batch.QueryY).mean([1]));
            outer = stack(stepLosses).mean([0]);
        }
        return AdaptedTasks.FromQueryOutputs(model, meta, fast, batch, outputs, features, outer);
    }

    /// <summary>Whether <see cref="ComputeShard"/> takes the hand-written kernel for this shard rather than autograd.</summary>
    public bool UsesFusedKernel(IFunctionalModel model, Tensor theta, TaskBatch batch) =>
        fusedKernels && !inner.MultiStepLoss && !inner.LearnedRates && FusedMlpMaml.Supports(model, theta, batch);

    /// <inheritdoc/>
    public ShardOutcome ComputeShard(IFunctionalModel model, Tensor theta, TaskBatch batch)
    {
        if (UsesFusedKernel(model, theta, batch))
        {
            using var span = LearningTelemetry.Start("fused-shard");
            return FusedMlpMaml.TryComputeShard(model, theta, batch, inner, firstOrder)
                ?? throw new InvalidOperationException("the fused kernel declined a shard it said it supports");
        }
        return AdaptedTasks.AdaptThenBackward(() => Adapt(model, theta, batch));
    }

    /// <inheritdoc/>
    public EvaluationOutcome Evaluate(IFunctionalModel model, Tensor theta, TaskBatch batch, IReadOnlyList<int> innerSteps)
    {
        using var scope = NewDisposeScope();
        var all = InnerLoop.AllEntries(model);
        var (start, rates) = Split(model, theta.detach());
        int step = 0;
        return StepwiseEvaluation.Run(InnerLoop.Broadcast(model, start, batch.Count), all,
            fast =>
            {
                var loss = InnerLoop.SupportLoss(model, fast, batch, createGraph: false);
                int row = Math.Min(step++, RateSteps - 1);
                return InnerLoop.Step(loss, fast, all, (e, g) => Rate(rates, row, e, g), createGraph: false);
            },
            fast => TaskLosses.Metric(batch.Kind, model.Forward(fast, batch.QueryX), batch.QueryY),
            innerSteps, fast => model.Forward(fast, batch.QueryX));
    }

    // θ (flat) and, with learned rates, the rates as [steps, entries] (views of the meta-parameters).
    private (Tensor Theta, Tensor? Rates) Split(IFunctionalModel model, Tensor meta)
    {
        long count = model.Layout.Count, expected = MetaLayout(model).Count;
        if (meta.shape.Length != 1 || meta.shape[0] != expected)
            throw new ArgumentException($"{Name} meta-parameters have shape [{string.Join(", ", meta.shape)}], expected [{expected}]{(inner.LearnedRates ? " (θ then the learned rates)" : "")}");
        if (!inner.LearnedRates) return (meta, null);
        return (meta.narrow(0, 0, count), meta.narrow(0, count, expected - count).view(RateSteps, model.Layout.Entries.Count));
    }

    private Tensor Rate(Tensor? rates, int step, int entry, Tensor gradient) =>
        rates is null ? inner.LearningRate * gradient : rates[step, entry] * gradient;
}
