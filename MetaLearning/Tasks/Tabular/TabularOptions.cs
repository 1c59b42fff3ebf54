namespace MetaCluster.Learning.Tasks.Tabular;

/// <summary>How a directory of per-task CSV files becomes a task family.</summary>
/// <param name="TargetName">The target column; null: the last column.</param>
/// <param name="Kind">Regression or classification; null: classification when every target is an
/// integer and there are at most <paramref name="MaxDetectedClasses"/> distinct values, else regression.</param>
/// <param name="HeldOutFraction">Without train/ and test/ subfolders: the share of files (the last
/// ones in ordinal name order, at least one when there are two or more files) kept for evaluation.</param>
/// <param name="MaxDetectedClasses">The most distinct integer targets still detected as classes.</param>
/// <param name="TaskColumn">One table holding many tasks: the column naming each row's task; null: one file per task.</param>
/// <param name="Format">Separator and missing-value policy of the files; null: comma-separated, missing values are errors.</param>
/// <param name="ValidationFraction">The share of the training files (or tasks of a table) held out as the validation split
/// (<see cref="ValidationSplit"/>, in name order); 0: none.</param>
public sealed record TabularOptions(string? TargetName = null, TaskKind? Kind = null, double HeldOutFraction = 0.2, int MaxDetectedClasses = 20,
    string? TaskColumn = null, CsvFormat? Format = null, double ValidationFraction = 0);
