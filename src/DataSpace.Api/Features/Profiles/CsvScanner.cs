using System.Buffers;

namespace DataSpace.Api.Features.Profiles;

/// <summary>
/// A streaming RFC 4180 reader over UTF-8 bytes, fed chunk by chunk: quoted fields may hold delimiters, doubled quotes
/// and line breaks, and any of them may straddle two chunks. Memory is bounded: a field keeps at most its first
/// <c>maxKeptFieldBytes</c> (its full length is still counted), and a record longer than <c>maxRecordBytes</c> fails
/// the scan (a stray quote would otherwise swallow the rest of a multi-gigabyte file). Blank lines are skipped. Lenient
/// where real files are sloppy: a quote inside an unquoted field, or text after a closing quote, is kept literally.
/// The delimiter, quote, CR and LF are ASCII, so they never occur inside a multi-byte UTF-8 sequence.
/// </summary>
internal sealed class CsvScanner
{
    internal interface ISink
    {
        /// <summary>One field of the current record; <paramref name="kept"/> is empty for an empty field.</summary>
        void Field(int index, ReadOnlySpan<byte> kept, long totalBytes, bool quoted);

        /// <summary>The current record ended with this many fields.</summary>
        void EndRecord(int fieldCount);
    }

    private enum State { StartField, Unquoted, Quoted, QuoteInQuoted, AfterCr }

    private readonly byte _delimiter;
    private readonly SearchValues<byte> _stops;
    private readonly byte[] _field;
    private readonly long _maxRecordBytes;
    private State _state = State.StartField;
    private int _kept;
    private long _fieldBytes;
    private bool _quoted;
    private int _fieldIndex;
    private long _recordBytes;

    public CsvScanner(byte delimiter, int maxKeptFieldBytes, long maxRecordBytes)
    {
        _delimiter = delimiter;
        // The quote is a stop too, so that stray quotes are counted by the same vectorised search that finds the field's end.
        _stops = SearchValues.Create([delimiter, (byte)'\r', (byte)'\n', (byte)'"']);
        _field = new byte[maxKeptFieldBytes];
        _maxRecordBytes = maxRecordBytes;
    }

    /// <summary>Records completed so far (blank lines not counted).</summary>
    public long Records { get; private set; }

    /// <summary>Quotes found where RFC 4180 allows none (kept literally).</summary>
    public long StrayQuotes { get; private set; }

    public void Feed(ReadOnlySpan<byte> data, ISink sink)
    {
        var i = 0;
        while (i < data.Length)
        {
            switch (_state)
            {
                case State.AfterCr:
                    if (data[i] == '\n')
                    {
                        i++;
                    }

                    _state = State.StartField;
                    break;
                case State.StartField:
                    if (data[i] == '"')
                    {
                        _quoted = true;
                        _state = State.Quoted;
                        i++;
                    }
                    else
                    {
                        _state = State.Unquoted;
                    }

                    break;
                case State.Unquoted:
                {
                    var rest = data[i..];
                    var k = rest.IndexOfAny(_stops);
                    if (k < 0)
                    {
                        Append(rest);
                        i = data.Length;
                        break;
                    }

                    var stop = rest[k];
                    if (stop == '"')
                    {
                        StrayQuotes++;
                        Append(rest[..(k + 1)]);
                        i += k + 1;
                        break;
                    }

                    i += k + 1;
                    ReadOnlySpan<byte> kept;
                    long total;
                    if (_fieldBytes == 0)
                    {
                        // The whole field lies in this chunk: hand it over where it is, without copying it.
                        Count(k);
                        kept = rest[..Math.Min(k, _field.Length)];
                        total = k;
                    }
                    else
                    {
                        Append(rest[..k]);
                        kept = _field.AsSpan(0, _kept);
                        total = _fieldBytes;
                    }

                    if (stop == _delimiter)
                    {
                        EndField(sink, kept, total);
                    }
                    else
                    {
                        EndLine(sink, stop, kept, total);
                    }

                    break;
                }

                case State.Quoted:
                {
                    var rest = data[i..];
                    var k = rest.IndexOf((byte)'"');
                    if (k < 0)
                    {
                        Append(rest);
                        i = data.Length;
                        break;
                    }

                    Append(rest[..k]);
                    i += k + 1;
                    _state = State.QuoteInQuoted;
                    break;
                }

                case State.QuoteInQuoted:
                {
                    var b = data[i];
                    if (b == '"')
                    {
                        Append("\""u8);
                        i++;
                        _state = State.Quoted;
                    }
                    else if (b == _delimiter)
                    {
                        i++;
                        EndField(sink);
                    }
                    else if (b is (byte)'\r' or (byte)'\n')
                    {
                        i++;
                        EndLine(sink, b);
                    }
                    else
                    {
                        StrayQuotes++;
                        _state = State.Unquoted;
                    }

                    break;
                }
            }
        }
    }

    /// <summary>Ends the input: emits a last record that had no line break.</summary>
    /// <exception cref="ProfileFailedException">The input ended inside a quoted field.</exception>
    public void Complete(ISink sink)
    {
        if (_state == State.Quoted)
        {
            throw new ProfileFailedException($"Record {Records + 1} has a quoted field that is never closed: the file ends inside quotes.");
        }

        if (_state != State.AfterCr && (_fieldIndex > 0 || _fieldBytes > 0 || _quoted))
        {
            EndLine(sink, (byte)'\n');
        }
    }

    private void Append(ReadOnlySpan<byte> bytes)
    {
        var room = _field.Length - _kept;
        if (room > 0)
        {
            var n = Math.Min(room, bytes.Length);
            bytes[..n].CopyTo(_field.AsSpan(_kept));
            _kept += n;
        }

        _fieldBytes += bytes.Length;
        Count(bytes.Length);
    }

    /// <summary>Charges bytes to the record, which fails the scan past its bound (before anything more is kept).</summary>
    private void Count(int bytes)
    {
        _recordBytes += bytes;
        if (_recordBytes > _maxRecordBytes)
        {
            throw new ProfileFailedException(
                $"Record {Records + 1} is longer than {_maxRecordBytes} bytes: most likely a quote that is never closed.");
        }
    }

    private void EndField(ISink sink) => EndField(sink, _field.AsSpan(0, _kept), _fieldBytes);

    private void EndField(ISink sink, ReadOnlySpan<byte> kept, long totalBytes)
    {
        sink.Field(_fieldIndex, kept, totalBytes, _quoted);
        _fieldIndex++;
        _kept = 0;
        _fieldBytes = 0;
        _quoted = false;
        _state = State.StartField;
    }

    private void EndLine(ISink sink, byte stop) => EndLine(sink, stop, _field.AsSpan(0, _kept), _fieldBytes);

    private void EndLine(ISink sink, byte stop, ReadOnlySpan<byte> kept, long totalBytes)
    {
        if (_fieldIndex == 0 && totalBytes == 0 && !_quoted)
        {
            // A blank line is not a record.
        }
        else
        {
            EndField(sink, kept, totalBytes);
            sink.EndRecord(_fieldIndex);
            Records++;
        }

        _fieldIndex = 0;
        _kept = 0;
        _fieldBytes = 0;
        _quoted = false;
        _recordBytes = 0;
        _state = stop == '\r' ? State.AfterCr : State.StartField;
    }
}

/// <summary>The content cannot be profiled as what it looked like; the message is the profile's reason.</summary>
internal sealed class ProfileFailedException(string reason) : Exception(reason);
