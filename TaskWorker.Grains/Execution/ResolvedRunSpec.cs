using MetaCluster.Learning.Algorithms;
using MetaCluster.Learning.Images;
using MetaCluster.Learning.Models;
using MetaCluster.Learning.Tasks;
using MetaCluster.Learning.Tasks.Tabular;
using MetaCluster.Protos.DataPlane.V1;
using MetaCluster.ServiceDefaults.Security;

namespace MetaCluster.TaskWorker.Execution;

/// <summary>The learning objects a <see cref="RunSpec"/> names: task family, model, algorithm.</summary>
public sealed record ResolvedRunSpec(ITaskFamily Family, IFunctionalModel Model, IMetaAlgorithm Algorithm, EpisodeShape TrainShape, EpisodeShape EvaluationShape)
{
    /// <summary>
    /// Builds them; throws <see cref="ArgumentException"/> naming the field for an invalid spec. With
    /// <paramref name="dataRoots"/> (a worker's <c>--data-root</c>s), the data paths are resolved and
    /// checked to lie under them before anything opens them, whatever the coordinator checked.
    /// </summary>
    public static ResolvedRunSpec From(RunSpec spec, IReadOnlyList<string>? dataRoots = null)
    {
        if (dataRoots is not null)
            foreach (var (field, paths) in new[] { ("data", spec.Data.ToArray()), ("eval_data", spec.EvalData.ToArray()), ("eval_classes", spec.EvalClasses.Length > 0 ? [spec.EvalClasses] : Array.Empty<string>()),
                ("val_classes", spec.ValClasses.Length > 0 ? [spec.ValClasses] : Array.Empty<string>()) })
                if (DataRoots.Violation(paths, dataRoots) is { } violation) throw new ArgumentException($"spec.{field}: {violation}");
        var family = TaskFamilyCatalog.Create(spec.Task, new TaskDataOptions
        {
            Data = [.. spec.Data], EvalData = [.. spec.EvalData], EvalGroups = [.. spec.EvalGroups],
            EvalClassList = spec.EvalClasses.Length > 0 ? spec.EvalClasses : null,
            Target = spec.Target.Length > 0 ? spec.Target : null, Rotations = spec.Rotations, Ways = Math.Max(1, spec.Ways),
            ValidationFraction = spec.ValFraction, ValidationClassList = spec.ValClasses.Length > 0 ? spec.ValClasses : null,
            ImageFormat = new ImageFormat(
                spec.ImageSize > 0 ? spec.ImageSize : 28, spec.ImageSize > 0 ? spec.ImageSize : 28,
                spec.Channels > 0 ? spec.Channels : 1, !spec.HasInvert || spec.Invert),
            TaskColumn = spec.TaskColumn.Length > 0 ? spec.TaskColumn : null,
            TableFormat = new CsvFormat(CsvFormat.ParseSeparator(spec.Separator.Length > 0 ? spec.Separator : "comma"),
                CsvFormat.ParseMissing(spec.Na.Length > 0 ? spec.Na : "error")),
        });
        if (spec.Kernels.Length > 0 && !AlgorithmCatalog.KernelChoices.Contains(spec.Kernels))
            throw new ArgumentException($"spec.kernels must be one of {string.Join(", ", AlgorithmCatalog.KernelChoices)}, got '{spec.Kernels}'");
        var algorithm = AlgorithmCatalog.Create(spec.Algorithm, new InnerLoopSettings(spec.InnerSteps, spec.InnerLr, spec.MultiStepLoss, spec.LearnedInnerLr), fusedKernels: spec.Kernels != "autograd");
        if (spec.Shots <= 0) throw new ArgumentException($"spec.shots must be positive, got {spec.Shots}");
        if (spec.Query <= 0) throw new ArgumentException($"spec.query must be positive, got {spec.Query}");
        var train = new EpisodeShape(Math.Max(1, spec.Ways), spec.Shots, spec.Query);
        var evaluation = train with { Query = spec.EvalQuery > 0 ? spec.EvalQuery : spec.Query };
        return new ResolvedRunSpec(family, family.CreateModel(), algorithm, train, evaluation);
    }
}
