namespace DataSpace.Parquet.Internal;

/// <summary>The RLE / bit-packed hybrid encoding used for levels and dictionary indices.</summary>
internal static class Rle
{
    public static int BitWidth(int maxValue) => maxValue <= 0 ? 0 : 32 - int.LeadingZeroCount(maxValue);

    public static void Encode(ReadOnlySpan<int> values, int bitWidth, ByteBuffer output)
    {
        var byteWidth = (bitWidth + 7) / 8;
        var i = 0;
        while (i < values.Length)
        {
            var run = RunLength(values, i);
            if (run >= 8)
            {
                output.WriteUVarint((ulong)run << 1);
                var v = values[i];
                for (var b = 0; b < byteWidth; b++)
                {
                    output.WriteByte((byte)(v >> (8 * b)));
                }

                i += run;
                continue;
            }

            // Bit-packed groups of exactly eight; only the very last group may be padded.
            var start = i;
            var groups = 0;
            while (i < values.Length && (groups == 0 || RunLength(values, i) < 8))
            {
                i = Math.Min(i + 8, values.Length);
                groups++;
            }

            output.WriteUVarint(((ulong)groups << 1) | 1);
            PackGroups(values[start..i], groups, bitWidth, output);
        }
    }

    private static int RunLength(ReadOnlySpan<int> values, int i)
    {
        var v = values[i];
        var j = i + 1;
        while (j < values.Length && values[j] == v)
        {
            j++;
        }

        return j - i;
    }

    private static void PackGroups(ReadOnlySpan<int> values, int groups, int bitWidth, ByteBuffer output)
    {
        var bytes = output.Reserve(groups * bitWidth);
        bytes.Clear();
        if (bitWidth == 0)
        {
            return;
        }

        ulong acc = 0;
        var bits = 0;
        var at = 0;
        var mask = bitWidth == 32 ? uint.MaxValue : (1u << bitWidth) - 1;
        for (var k = 0; k < groups * 8; k++)
        {
            var v = k < values.Length ? (uint)values[k] & mask : 0u;
            acc |= (ulong)v << bits;
            bits += bitWidth;
            while (bits >= 8)
            {
                bytes[at++] = (byte)acc;
                acc >>= 8;
                bits -= 8;
            }
        }
    }

    /// <summary>Decodes exactly output.Length values; returns the bytes consumed. Data running out is a format error.</summary>
    public static int Decode(ReadOnlySpan<byte> data, int bitWidth, Span<int> output)
    {
        if (bitWidth is < 0 or > 32)
        {
            throw new ParquetFormatException($"RLE bit width {bitWidth} is out of range.");
        }

        var byteWidth = (bitWidth + 7) / 8;
        var pos = 0;
        var n = 0;
        while (n < output.Length)
        {
            var header = ReadUVarint(data, ref pos);
            if ((header & 1) == 0)
            {
                var count = header >> 1;
                if (byteWidth > data.Length - pos)
                {
                    throw new ParquetFormatException("RLE run value runs past the end of the data.");
                }

                var v = 0u;
                for (var b = 0; b < byteWidth; b++)
                {
                    v |= (uint)data[pos + b] << (8 * b);
                }

                pos += byteWidth;
                if (bitWidth < 32 && v >> bitWidth != 0)
                {
                    throw new ParquetFormatException("RLE run value is wider than its bit width.");
                }

                var take = (int)Math.Min(count, (ulong)(output.Length - n));
                output.Slice(n, take).Fill((int)v);
                n += take;
            }
            else
            {
                var groups = header >> 1;
                var values = groups * 8;
                var take = (int)Math.Min(values, (ulong)(output.Length - n));
                var fullBytes = groups * (ulong)bitWidth;
                var neededBytes = ((long)take * bitWidth + 7) / 8;
                if (neededBytes > data.Length - pos)
                {
                    throw new ParquetFormatException("Bit-packed run runs past the end of the data.");
                }

                Unpack(data[pos..], bitWidth, output.Slice(n, take));
                n += take;
                pos += (int)Math.Min(fullBytes, (ulong)(data.Length - pos));
            }
        }

        return pos;
    }

    private static void Unpack(ReadOnlySpan<byte> data, int bitWidth, Span<int> output)
    {
        if (bitWidth == 0)
        {
            output.Clear();
            return;
        }

        ulong acc = 0;
        var bits = 0;
        var at = 0;
        var mask = bitWidth == 32 ? uint.MaxValue : (1u << bitWidth) - 1;
        for (var k = 0; k < output.Length; k++)
        {
            while (bits < bitWidth)
            {
                acc |= (ulong)data[at++] << bits;
                bits += 8;
            }

            output[k] = (int)((uint)acc & mask);
            acc >>= bitWidth;
            bits -= bitWidth;
        }
    }

    private static ulong ReadUVarint(ReadOnlySpan<byte> data, ref int pos)
    {
        ulong result = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (pos >= data.Length)
            {
                throw new ParquetFormatException("RLE data ends inside a run header.");
            }

            var b = data[pos++];
            result |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return result;
            }
        }

        throw new ParquetFormatException("RLE run header longer than 10 bytes.");
    }
}
