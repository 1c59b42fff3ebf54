using System.Diagnostics;
using MetaCluster.Learning.Diagnostics;

namespace MetaCluster.Tests.Learning;

/// <summary>
/// The names of the spans the learning library starts while an action runs, in the order they end:
/// only those under a root span of the test's own (other tests may run learning code at the same time).
/// </summary>
internal static class LearningSpans
{
    private static readonly ActivitySource Root = new("MetaCluster.Tests.LearningSpans");

    public static IReadOnlyList<string> Of(Action action)
    {
        var names = new List<string>();
        ActivityTraceId trace = default;
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is LearningTelemetry.SourceName or "MetaCluster.Tests.LearningSpans",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
            ActivityStopped = activity =>
            {
                if (activity.Source.Name == LearningTelemetry.SourceName && activity.TraceId == trace)
                    lock (names) names.Add(activity.OperationName);
            },
        };
        ActivitySource.AddActivityListener(listener);
        var previous = Activity.Current;
        Activity.Current = null;
        using (var root = Root.StartActivity("test"))
        {
            trace = root!.TraceId;
            action();
        }
        Activity.Current = previous;
        lock (names) return [.. names];
    }
}
