using System.Globalization;
using nietras.SeparatedValues;

namespace MetaCluster.Learning.Tasks.Tabular;

/// <summary>
/// A numeric table read with the Sep library: a header row, then one row of numbers per line;
/// fields separated by <see cref="CsvFormat.Separator"/> (comma, semicolon, tab, pipe, or detected
/// from the header), optionally in double quotes (RFC 4180: <c>""</c> inside quotes is a quote,
/// separators inside quotes are text), surrounding spaces trimmed, blank lines ignored. One column
/// may be a task column (<see cref="TaskColumn"/>): its values are text, the task each row belongs to.
/// Missing values follow <see cref="CsvFormat.Missing"/>; with <see cref="MissingValuePolicy.Mean"/>
/// they are kept as NaN for <see cref="TabularTask.FromTable"/> to fill. Every problem is an
/// <see cref="InvalidDataException"/> whose message starts with "file.csv:LINE: ".
/// </summary>
public sealed class CsvTable
{
    private CsvTable(string path, string[] columns, double[][] rows, string? taskColumn, string[]? taskKeys)
    {
        Path = path;
        Columns = columns;
        Rows = rows;
        TaskColumn = taskColumn;
        TaskKeys = taskKeys;
    }

    /// <summary>The file the table was read from.</summary>
    public string Path { get; }

    /// <summary>The file name, as used in messages.</summary>
    public string Name => System.IO.Path.GetFileName(Path);

    /// <summary>Names of the numeric columns from the header (the task column is not among them).</summary>
    public IReadOnlyList<string> Columns { get; }

    /// <summary>The data rows, each with one value per numeric column (NaN: missing, with the mean policy).</summary>
    public IReadOnlyList<double[]> Rows { get; }

    /// <summary>The task column's name, or null.</summary>
    public string? TaskColumn { get; }

    /// <summary>The task of each row (the task column's text), or null without a task column.</summary>
    public IReadOnlyList<string>? TaskKeys { get; }

    /// <summary>Reads and checks a delimited file; <paramref name="taskColumn"/> names the column holding each row's task.</summary>
    public static CsvTable Read(string path, CsvFormat? format = null, string? taskColumn = null)
    {
        format ??= CsvFormat.Default;
        string name = System.IO.Path.GetFileName(path);
        if (!HasHeaderLine(path)) throw new InvalidDataException($"{name}:1: missing header row");
        var options = new SepReaderOptions(format.Separator is { } separator ? Sep.New(separator) : null)
        {
            HasHeader = true, Unescape = true, Trim = SepTrim.All, DisableColCountCheck = true,
            CultureInfo = CultureInfo.InvariantCulture,
        };
        using var reader = options.FromFile(path);
        var header = reader.Header.ColNames.Select(n => n.Trim('\uFEFF').Trim()).ToArray();
        for (int c = 0; c < header.Length; c++)
        {
            if (header[c].Length == 0) throw new InvalidDataException($"{name}:1: column {c + 1} has no name");
            if (Array.IndexOf(header, header[c]) is var first && first != c)
                throw new InvalidDataException($"{name}:1: column {c + 1} has the same name as column {first + 1}");
        }
        int task = -1;
        if (taskColumn is not null && (task = Array.IndexOf(header, taskColumn)) < 0)
            throw new InvalidDataException($"{name}:1: no task column named '{taskColumn}' among its {header.Length} columns"); // header text is not echoed
        var numeric = Enumerable.Range(0, header.Length).Where(c => c != task).ToArray();

        var rows = new List<double[]>();
        var keys = task >= 0 ? new List<string>() : null;
        int line = 1;
        foreach (var row in reader)
        {
            line = row.LineNumberFrom;
            if (row.ColCount == 1 && row[0].Span.Trim().Length == 0) continue;
            if (row.ColCount != header.Length)
                throw new InvalidDataException($"{name}:{line}: expected {header.Length} columns, found {row.ColCount}");
            var values = new double[numeric.Length];
            bool drop = false;
            for (int i = 0; i < numeric.Length; i++)
                if (!Parse(row[numeric[i]].ToString(), format.Missing, out values[i], () => $"{name}:{line}: column '{header[numeric[i]]}'"))
                    drop = true;
            string key = task >= 0 ? row[task].ToString() : "";
            if (task >= 0 && CsvFormat.IsMissing(key))
            {
                if (format.Missing == MissingValuePolicy.Error)
                    throw new InvalidDataException($"{name}:{line}: task column '{taskColumn}' is empty (--na drop-row leaves such rows out)");
                drop = true;
            }
            if (drop) continue;
            rows.Add(values);
            keys?.Add(key);
        }
        if (rows.Count == 0) throw new InvalidDataException($"{name}:{line}: no data rows after the header");
        return new CsvTable(path, [.. numeric.Select(c => header[c])], [.. rows], task >= 0 ? taskColumn : null, keys?.ToArray());
    }

    // Only the first line is read: a large table is not read twice.
    private static bool HasHeaderLine(string path)
    {
        using var reader = new StreamReader(path, detectEncodingFromByteOrderMarks: true);
        return reader.ReadLine() is { } first && first.Trim('\uFEFF').Trim().Length > 0;
    }

    // False when the row is to be dropped; NaN kept for the mean policy. The value itself is never
    // quoted in messages: they travel to remote clients.
    private static bool Parse(string field, MissingValuePolicy policy, out double value, Func<string> where)
    {
        bool number = double.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
        if (number && double.IsFinite(value)) return true;
        if (CsvFormat.IsMissing(field))
        {
            value = double.NaN;
            return policy switch
            {
                MissingValuePolicy.DropRow => false,
                MissingValuePolicy.Mean => true,
                _ => throw new InvalidDataException(number
                    ? $"{where()} is not a finite number"
                    : $"{where()} is missing (--na drop-row or --na mean accept missing values)"),
            };
        }
        throw new InvalidDataException(number ? $"{where()} is not a finite number" : $"{where()} is not a number");
    }
}
