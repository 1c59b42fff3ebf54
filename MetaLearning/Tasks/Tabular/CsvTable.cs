using System.Globalization;
using System.Text;

namespace MetaCluster.Learning.Tasks.Tabular;

/// <summary>
/// A numeric CSV file: a header row, then one row of numbers per line (comma-separated, optional
/// double quotes, blank lines ignored). Every problem is reported as <see cref="InvalidDataException"/>
/// whose message starts with "file.csv:LINE: ", e.g. "a.csv:17: expected 5 columns, found 4".
/// </summary>
public sealed class CsvTable
{
    private CsvTable(string path, string[] columns, double[][] rows)
    {
        Path = path;
        Columns = columns;
        Rows = rows;
    }

    /// <summary>The file the table was read from.</summary>
    public string Path { get; }

    /// <summary>The file name, as used in messages.</summary>
    public string Name => System.IO.Path.GetFileName(Path);

    /// <summary>Column names from the header.</summary>
    public IReadOnlyList<string> Columns { get; }

    /// <summary>The data rows, each with one value per column.</summary>
    public IReadOnlyList<double[]> Rows { get; }

    /// <summary>Reads and checks a CSV file.</summary>
    public static CsvTable Read(string path)
    {
        string name = System.IO.Path.GetFileName(path);
        using var reader = new StreamReader(path, Encoding.UTF8);
        string? header = reader.ReadLine();
        if (header is null || header.Trim().Length == 0) throw new InvalidDataException($"{name}:1: missing header row");
        var columns = Split(header.TrimStart('\uFEFF'), name, 1).Select(c => c.Trim()).ToArray();
        for (int c = 0; c < columns.Length; c++)
        {
            if (columns[c].Length == 0) throw new InvalidDataException($"{name}:1: column {c + 1} has no name");
            if (Array.IndexOf(columns, columns[c]) != c) throw new InvalidDataException($"{name}:1: column '{columns[c]}' appears twice");
        }

        var rows = new List<double[]>();
        int line = 1;
        for (string? text = reader.ReadLine(); text is not null; text = reader.ReadLine())
        {
            line++;
            if (text.Trim().Length == 0) continue;
            var fields = Split(text, name, line);
            if (fields.Count != columns.Length)
                throw new InvalidDataException($"{name}:{line}: expected {columns.Length} columns, found {fields.Count}");
            var values = new double[fields.Count];
            for (int c = 0; c < fields.Count; c++)
            {
                string field = fields[c].Trim();
                if (!double.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out values[c]))
                    throw new InvalidDataException($"{name}:{line}: column '{columns[c]}' is not a number"); // the value itself is never quoted: messages travel to remote clients
                if (!double.IsFinite(values[c]))
                    throw new InvalidDataException($"{name}:{line}: column '{columns[c]}' is not a finite number");
            }
            rows.Add(values);
        }
        if (rows.Count == 0) throw new InvalidDataException($"{name}:{line}: no data rows after the header");
        return new CsvTable(path, columns, rows.ToArray());
    }

    // RFC 4180 fields: commas separate, double quotes enclose, "" inside quotes is a quote.
    private static List<string> Split(string line, string name, int lineNumber)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        bool quoted = false;
        for (int i = 0; i < line.Length; i++)
        {
            char ch = line[i];
            if (quoted)
            {
                if (ch != '"') field.Append(ch);
                else if (i + 1 < line.Length && line[i + 1] == '"') { field.Append('"'); i++; }
                else quoted = false;
            }
            else if (ch == '"') quoted = true;
            else if (ch == ',') { fields.Add(field.ToString()); field.Clear(); }
            else field.Append(ch);
        }
        if (quoted) throw new InvalidDataException($"{name}:{lineNumber}: unterminated quoted field");
        fields.Add(field.ToString());
        return fields;
    }
}
