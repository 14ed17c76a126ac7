using System.Buffers.Binary;
using System.Text;

namespace DataSpace.Parquet.Internal;

/// <summary>Thrift compact protocol type ids.</summary>
internal static class TType
{
    public const byte Stop = 0;
    public const byte True = 1;
    public const byte False = 2;
    public const byte Byte = 3;
    public const byte I16 = 4;
    public const byte I32 = 5;
    public const byte I64 = 6;
    public const byte Double = 7;
    public const byte Binary = 8;
    public const byte List = 9;
    public const byte Set = 10;
    public const byte Map = 11;
    public const byte Struct = 12;
}

/// <summary>Writes Thrift compact protocol structs field by field.</summary>
internal sealed class CompactWriter(ByteBuffer output)
{
    private readonly Stack<short> _lastIds = new();
    private short _lastId;

    public void BeginStruct()
    {
        _lastIds.Push(_lastId);
        _lastId = 0;
    }

    public void EndStruct()
    {
        output.WriteByte(TType.Stop);
        _lastId = _lastIds.Pop();
    }

    public void FieldHeader(short id, byte type)
    {
        var delta = id - _lastId;
        if (delta is > 0 and <= 15)
        {
            output.WriteByte((byte)((delta << 4) | type));
        }
        else
        {
            output.WriteByte(type);
            output.WriteUVarint(ZigZag(id));
        }

        _lastId = id;
    }

    public void I32(short id, int v)
    {
        FieldHeader(id, TType.I32);
        output.WriteUVarint(ZigZag(v));
    }

    public void I64(short id, long v)
    {
        FieldHeader(id, TType.I64);
        output.WriteUVarint(ZigZag(v));
    }

    public void Bool(short id, bool v) => FieldHeader(id, v ? TType.True : TType.False);

    public void Binary(short id, ReadOnlySpan<byte> v)
    {
        FieldHeader(id, TType.Binary);
        BinaryValue(v);
    }

    public void String(short id, string v)
    {
        FieldHeader(id, TType.Binary);
        StringValue(v);
    }

    public void StructField(short id)
    {
        FieldHeader(id, TType.Struct);
        BeginStruct();
    }

    public void ListField(short id, byte elementType, int count)
    {
        FieldHeader(id, TType.List);
        ListHeader(elementType, count);
    }

    public void ListHeader(byte elementType, int count)
    {
        if (count < 15)
        {
            output.WriteByte((byte)((count << 4) | elementType));
        }
        else
        {
            output.WriteByte((byte)(0xF0 | elementType));
            output.WriteUVarint((uint)count);
        }
    }

    public void I32Value(int v) => output.WriteUVarint(ZigZag(v));

    public void BinaryValue(ReadOnlySpan<byte> v)
    {
        output.WriteUVarint((uint)v.Length);
        output.Write(v);
    }

    public void StringValue(string v)
    {
        var count = Encoding.UTF8.GetByteCount(v);
        output.WriteUVarint((uint)count);
        Encoding.UTF8.GetBytes(v, output.Reserve(count));
    }

    private static ulong ZigZag(long v) => (ulong)((v << 1) ^ (v >> 63));
}

/// <summary>
/// A decoded Thrift struct: field id to value (bool, sbyte, short, int, long, double, byte[], List&lt;object&gt;, TStruct).
/// Parsing everything generically keeps the hostile-input checks in one place. Fields live in a small array (Parquet's
/// structs have a handful), capped at <see cref="MaxFields"/> distinct ids so a lookup stays a short scan.
/// </summary>
internal sealed class TStruct
{
    public const int MaxFields = 64;

    private (short Id, object Value)[] _fields = [];
    private int _count;

    public string Name { get; }

    public TStruct(string name) => Name = name;

    /// <summary>Sets a field; <paramref name="budget"/> is charged before the field array grows.</summary>
    public void Set(short id, object value, ThriftBudget? budget = null)
    {
        for (var k = 0; k < _count; k++)
        {
            if (_fields[k].Id == id)
            {
                _fields[k].Value = value;
                return;
            }
        }

        if (_count == _fields.Length)
        {
            if (_count >= MaxFields)
            {
                throw new ParquetFormatException($"Thrift {Name}: more than {MaxFields} distinct fields.");
            }

            var capacity = Math.Min(MaxFields, Math.Max(4, _count * 2));
            budget?.Charge(ThriftBudget.ArrayBytes(capacity, 16), Name);
            Array.Resize(ref _fields, capacity);
        }

        _fields[_count++] = (id, value);
    }

    public bool Has(short id) => TryGet(id, out _);

    public IEnumerable<short> FieldIds
    {
        get
        {
            for (var k = 0; k < _count; k++)
            {
                yield return _fields[k].Id;
            }
        }
    }

    private bool TryGet(short id, out object value)
    {
        for (var k = 0; k < _count; k++)
        {
            if (_fields[k].Id == id)
            {
                value = _fields[k].Value;
                return true;
            }
        }

        value = null!;
        return false;
    }

    public int RequiredI32(short id) => Get<int>(id, required: true) ?? 0;

    public long RequiredI64(short id) => Get<long>(id, required: true) ?? 0;

    public int? I32(short id) => Get<int>(id, required: false);

    public long? I64(short id) => Get<long>(id, required: false);

    public bool? Bool(short id) => Get<bool>(id, required: false);

    public sbyte? SByte(short id) => Get<sbyte>(id, required: false);

    public byte[]? Binary(short id) => GetRef<byte[]>(id, required: false);

    public string? String(short id)
    {
        var bytes = Binary(id);
        return bytes is null ? null : DecodeUtf8(bytes, id);
    }

    public string RequiredString(short id) => DecodeUtf8(GetRef<byte[]>(id, required: true)!, id);

    public TStruct? Struct(short id) => GetRef<TStruct>(id, required: false);

    public List<object>? List(short id) => GetRef<List<object>>(id, required: false);

    public List<object> RequiredList(short id) => GetRef<List<object>>(id, required: true)!;

    public IEnumerable<T> ListOf<T>(short id, bool required)
    {
        var list = GetRef<List<object>>(id, required);
        if (list is null)
        {
            yield break;
        }

        foreach (var item in list)
        {
            yield return item is T t ? t : throw new ParquetFormatException($"Thrift {Name}.{id}: list element has the wrong type.");
        }
    }

    private T? Get<T>(short id, bool required)
        where T : struct
    {
        if (!TryGet(id, out var v))
        {
            return required ? throw new ParquetFormatException($"Thrift {Name}: required field {id} is missing.") : null;
        }

        return v is T t ? t : throw new ParquetFormatException($"Thrift {Name}.{id}: field has the wrong type.");
    }

    private T? GetRef<T>(short id, bool required)
        where T : class
    {
        if (!TryGet(id, out var v))
        {
            return required ? throw new ParquetFormatException($"Thrift {Name}: required field {id} is missing.") : null;
        }

        return v as T ?? throw new ParquetFormatException($"Thrift {Name}.{id}: field has the wrong type.");
    }

    private string DecodeUtf8(byte[] bytes, short id)
    {
        try
        {
            return Encoding.UTF8.GetString(bytes);
        }
        catch (DecoderFallbackException e)
        {
            throw new ParquetFormatException($"Thrift {Name}.{id}: invalid UTF-8.", e);
        }
    }
}

/// <summary>
/// What decoding may still allocate, in estimated bytes (64-bit object headers, arrays, boxes). Every object is charged
/// before it is created, so a footer of a million empty structs fails after the budget, not after a gigabyte.
/// </summary>
internal sealed class ThriftBudget(long maxBytes, int maxBinaryBytes)
{
    public const int StructBytes = 40;
    public const int BoxBytes = 24;

    private long _left = maxBytes;

    public int MaxBinaryBytes => maxBinaryBytes;

    public static long ArrayBytes(long length, int elementBytes) => 24 + (length * elementBytes);

    public void Charge(long bytes, string name)
    {
        _left -= bytes;
        if (_left < 0)
        {
            throw new ParquetLimitExceededException($"Thrift {name}: the metadata decodes to more than its budget (limit MaxMetadataBytes).");
        }
    }
}

/// <summary>Reads Thrift compact protocol from a bounded buffer; every size is checked against the bytes left and every allocation against the budget.</summary>
internal ref struct CompactReader
{
    public const int MaxDepth = 32;

    private readonly ReadOnlySpan<byte> _data;
    private readonly ThriftBudget _budget;
    private int _pos;

    public CompactReader(ReadOnlySpan<byte> data, ThriftBudget budget)
    {
        _data = data;
        _budget = budget;
        _pos = 0;
    }

    public readonly int Position => _pos;

    public TStruct ReadStruct(string name) => ReadStruct(name, 0);

    private TStruct ReadStruct(string name, int depth)
    {
        if (depth > MaxDepth)
        {
            throw new ParquetFormatException($"Thrift nesting deeper than {MaxDepth} in {name}.");
        }

        _budget.Charge(ThriftBudget.StructBytes, name);
        var result = new TStruct(name);
        short lastId = 0;
        while (true)
        {
            var header = ReadByte();
            if (header == TType.Stop)
            {
                return result;
            }

            var type = (byte)(header & 0x0F);
            var delta = header >> 4;
            short id;
            if (delta != 0)
            {
                id = (short)(lastId + delta);
            }
            else
            {
                var raw = ReadZigZag();
                if (raw is < short.MinValue or > short.MaxValue)
                {
                    throw new ParquetFormatException($"Thrift {name}: field id out of range.");
                }

                id = (short)raw;
            }

            lastId = id;
            var value = ReadValue(type, name, depth, inField: true);
            if (value is not null)
            {
                result.Set(id, value, _budget);
            }
        }
    }

    private object? ReadValue(byte type, string name, int depth, bool inField)
    {
        switch (type)
        {
            case TType.True:
                return inField || ReadByte() == TType.True;
            case TType.False:
                return inField ? false : ReadByte() == TType.True;
            case TType.Byte:
                _budget.Charge(ThriftBudget.BoxBytes, name);
                return (sbyte)ReadByte();
            case TType.I16:
                var s = ReadZigZag();
                _budget.Charge(ThriftBudget.BoxBytes, name);
                return s is < short.MinValue or > short.MaxValue
                    ? throw new ParquetFormatException($"Thrift {name}: i16 out of range.")
                    : (short)s;
            case TType.I32:
                var i = ReadZigZag();
                _budget.Charge(ThriftBudget.BoxBytes, name);
                return i is < int.MinValue or > int.MaxValue
                    ? throw new ParquetFormatException($"Thrift {name}: i32 out of range.")
                    : (int)i;
            case TType.I64:
                _budget.Charge(ThriftBudget.BoxBytes, name);
                return ReadZigZag();
            case TType.Double:
                _budget.Charge(ThriftBudget.BoxBytes, name);
                return BitConverter.Int64BitsToDouble(BinaryPrimitives.ReadInt64LittleEndian(Take(8)));
            case TType.Binary:
                var length = ReadLength();
                if (length > _budget.MaxBinaryBytes)
                {
                    throw new ParquetLimitExceededException($"Thrift {name}: a binary of {length} bytes is above {_budget.MaxBinaryBytes} (limit MaxBinaryBytes).");
                }

                _budget.Charge(ThriftBudget.ArrayBytes(length, 1), name);
                return Take(length).ToArray();
            case TType.List:
            case TType.Set:
                return ReadList(name, depth);
            case TType.Map:
                SkipMap(name, depth);
                return null;
            case TType.Struct:
                return ReadStruct(name, depth + 1);
            default:
                throw new ParquetFormatException($"Thrift {name}: unknown type {type}.");
        }
    }

    private List<object> ReadList(string name, int depth)
    {
        if (depth + 1 > MaxDepth)
        {
            throw new ParquetFormatException($"Thrift nesting deeper than {MaxDepth} in {name}.");
        }

        var header = ReadByte();
        var elementType = (byte)(header & 0x0F);
        long count = header >> 4;
        if (count == 15)
        {
            count = (long)Math.Min(ReadUVarint(), long.MaxValue);
        }

        // Every element takes at least one byte, so a count beyond the bytes left is a lie.
        if (count > _data.Length - _pos)
        {
            throw new ParquetFormatException($"Thrift {name}: list of {count} elements in {_data.Length - _pos} bytes.");
        }

        _budget.Charge(ThriftBudget.StructBytes + ThriftBudget.ArrayBytes(count, 8), name);
        var list = new List<object>((int)count);
        for (var k = 0; k < count; k++)
        {
            var v = ReadValue(elementType, name, depth + 1, inField: false);
            if (v is not null)
            {
                list.Add(v);
            }
        }

        return list;
    }

    /// <summary>Maps are not used by Parquet's footer: their entries are read (to find the end) and dropped.</summary>
    private void SkipMap(string name, int depth)
    {
        var count = ReadUVarint();
        if (count == 0)
        {
            return;
        }

        if (count > (ulong)(_data.Length - _pos))
        {
            throw new ParquetFormatException($"Thrift {name}: map of {count} entries in {_data.Length - _pos} bytes.");
        }

        var types = ReadByte();
        for (ulong k = 0; k < count; k++)
        {
            ReadValue((byte)(types >> 4), name, depth + 1, inField: false);
            ReadValue((byte)(types & 0x0F), name, depth + 1, inField: false);
        }
    }
    private int ReadLength()
    {
        var n = ReadUVarint();
        if (n > (ulong)(_data.Length - _pos))
        {
            throw new ParquetFormatException($"Thrift binary of {n} bytes with {_data.Length - _pos} left.");
        }

        return (int)n;
    }

    private byte ReadByte()
    {
        if (_pos >= _data.Length)
        {
            throw new ParquetFormatException("Thrift struct runs past the end of its buffer.");
        }

        return _data[_pos++];
    }

    private ReadOnlySpan<byte> Take(int n)
    {
        if (n > _data.Length - _pos)
        {
            throw new ParquetFormatException("Thrift value runs past the end of its buffer.");
        }

        var span = _data.Slice(_pos, n);
        _pos += n;
        return span;
    }

    private ulong ReadUVarint()
    {
        ulong result = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            var b = ReadByte();
            result |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return result;
            }
        }

        throw new ParquetFormatException("Thrift varint longer than 10 bytes.");
    }

    private long ReadZigZag()
    {
        var u = ReadUVarint();
        return (long)(u >> 1) ^ -(long)(u & 1);
    }
}
