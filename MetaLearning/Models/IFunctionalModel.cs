using MetaCluster.Learning.Parameters;
using static TorchSharp.torch;

namespace MetaCluster.Learning.Models;

/// <summary>
/// A model in functional form: the forward pass takes an explicit list of weights, each with a
/// leading task dimension, so the inner loops of all tasks of a shard run as one set of batched
/// tensor operations, and fast weights are ordinary tensors in the autograd graph.
/// </summary>
public interface IFunctionalModel
{
    /// <summary>The parameters, in the order <see cref="Features"/> and <see cref="Head"/> expect them.</summary>
    ParameterLayout Layout { get; }

    /// <summary>Shape of one input example (without the task and example dimensions).</summary>
    IReadOnlyList<long> InputShape { get; }

    /// <summary>Outputs per example: regression targets, or class scores.</summary>
    int OutputCount { get; }

    /// <summary>Width of the penultimate layer (the task-embedding size).</summary>
    int FeatureSize { get; }

    /// <summary>Number of trailing entries of <see cref="Layout"/> that form the head (the last layer).</summary>
    int HeadEntryCount { get; }

    /// <summary>Penultimate features: weights are [T, …] per entry, x is [T, N, …]; returns [T, N, FeatureSize].</summary>
    Tensor Features(IReadOnlyList<Tensor> weights, Tensor x);

    /// <summary>The head applied to features [T, N, FeatureSize]; returns [T, N, outputs].</summary>
    Tensor Head(IReadOnlyList<Tensor> weights, Tensor features);

    /// <summary>Initial meta-parameters as a flat vector, deterministic in the seed.</summary>
    Tensor Initialize(ulong seed, ScalarType dtype = ScalarType.Float32);
}

/// <summary>Helpers every functional model shares.</summary>
public static class FunctionalModelExtensions
{
    /// <summary>The full forward pass.</summary>
    public static Tensor Forward(this IFunctionalModel model, IReadOnlyList<Tensor> weights, Tensor x) =>
        model.Head(weights, model.Features(weights, x));
}
