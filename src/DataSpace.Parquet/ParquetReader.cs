using DataSpace.Parquet.Internal;

namespace DataSpace.Parquet;

/// <summary>Reads Parquet footers of any file, and the values of flat files.</summary>
public static class ParquetReader
{
    /// <summary>Reads only the footer, within <paramref name="limits"/> (<see cref="ParquetReadLimits.Default"/> when null).</summary>
    /// <exception cref="ParquetLimitExceededException">The footer would cost more than the limits allow.</exception>
    public static ParquetMetadata ReadMetadata(Stream seekable, ParquetReadLimits? limits = null)
    {
        CheckStream(seekable);
        return Guard(() => Footer.Read(seekable, limits ?? ParquetReadLimits.Default).ToPublic());
    }

    /// <summary>
    /// Rows of a flat file as CLR values, streamed one row group page at a time.
    /// Throws ParquetFormatException for corrupt files and ParquetNotSupportedException naming what it cannot read.
    /// </summary>
    public static IEnumerable<object?[]> ReadRows(Stream seekable, ParquetReadLimits? limits = null)
    {
        CheckStream(seekable);
        var footer = Guard(() => Footer.Read(seekable, limits ?? ParquetReadLimits.Default));
        return Rows(seekable, footer);
    }

    private static void CheckStream(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanSeek || !stream.CanRead)
        {
            throw new ArgumentException("Parquet reading needs a readable, seekable stream.", nameof(stream));
        }
    }

    private static IEnumerable<object?[]> Rows(Stream stream, Footer footer)
    {
        var leaves = footer.Leaves;
        foreach (var leaf in leaves)
        {
            if (!leaf.Flat)
            {
                throw new ParquetNotSupportedException($"nested column {leaf.Node.Path}");
            }
        }

        var (groups, declaredRows) = Guard(() =>
        {
            var rgs = footer.File.ListOf<TStruct>(4, required: true).ToList();
            return (rgs, footer.File.RequiredI64(3));
        });

        long total = 0;
        foreach (var rg in groups)
        {
            total += Guard(() => rg.RequiredI64(3));
        }

        if (total != declaredRows)
        {
            throw new ParquetFormatException($"Row groups hold {total} rows, the footer declares {declaredRows}.");
        }

        foreach (var rg in groups)
        {
            var (readers, rows) = Guard(() =>
            {
                var n = rg.RequiredI64(3);
                var chunks = rg.ListOf<TStruct>(1, required: true).ToList();
                if (n < 0 || chunks.Count != leaves.Count)
                {
                    throw new ParquetFormatException($"Row group of {n} rows with {chunks.Count} column chunks for {leaves.Count} columns.");
                }

                return (chunks.Select((c, i) => new ColumnReader(stream, footer, leaves[i], c, n)).ToArray(), n);
            });

            for (long r = 0; r < rows; r++)
            {
                yield return ReadRow(readers);
            }
        }
    }

    private static object?[] ReadRow(ColumnReader[] readers)
    {
        var row = new object?[readers.Length];
        try
        {
            for (var c = 0; c < readers.Length; c++)
            {
                row[c] = readers[c].Next();
            }
        }
        catch (Exception e) when (IsStray(e))
        {
            throw new ParquetFormatException($"Corrupt Parquet file: {e.Message}", e);
        }

        return row;
    }

    private static bool IsStray(Exception e) =>
        e is ArgumentException or IndexOutOfRangeException or OverflowException or InvalidCastException or IOException;

    /// <summary>Turns stray runtime exceptions from a lying file into ParquetFormatException.</summary>
    private static T Guard<T>(Func<T> read)
    {
        try
        {
            return read();
        }
        catch (EndOfStreamException e)
        {
            throw new ParquetFormatException("The file ends before a declared structure.", e);
        }
        catch (Exception e) when (IsStray(e))
        {
            throw new ParquetFormatException($"Corrupt Parquet file: {e.Message}", e);
        }
    }
}
