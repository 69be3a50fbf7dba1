using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;

namespace AntiEtcd.Api.Json;

/// <summary>
/// The path from the body root to the object being decoded, kept on the stack so that the
/// error text <c>invalid value for field "success[1].request_put.lease"</c> (SPEC §3.3) costs
/// nothing until an error is actually reported.
/// </summary>
/// <remarks>Passed by <c>ref</c> down the recursive decoders; never copied.</remarks>
internal struct DecodePath
{
    /// <summary>Enough for the reader's maximum depth of 64 plus the leaf.</summary>
    private const int MaxSegments = 72;

    private SegmentNames _names;
    private SegmentIndexes _indexes;
    private int _count;

    /// <summary>Enters field <paramref name="name"/>, or element <paramref name="index"/> of it when ≥ 0.</summary>
    public void Push(string name, int index = -1)
    {
        _names[_count] = name;
        _indexes[_count] = index;
        _count++;
    }

    public void Pop() => _count--;

    /// <summary><c>invalid value for field "PATH.leaf": problem</c>.</summary>
    public readonly ApiDecodeException Invalid(string leaf, string problem) => Invalid(leaf, -1, problem);

    /// <summary><c>invalid value for field "PATH.leaf[index]": problem</c>.</summary>
    public readonly ApiDecodeException Invalid(string leaf, int index, string problem)
    {
        var builder = new StringBuilder("invalid value for field \"");
        AppendPath(builder);
        AppendSegment(builder, leaf, index);
        builder.Append("\": ").Append(problem);
        return new ApiDecodeException(builder.ToString());
    }

    /// <summary><c>invalid value for field "PATH": problem</c>, for the object being decoded itself.</summary>
    public readonly ApiDecodeException InvalidHere(string problem)
    {
        var builder = new StringBuilder("invalid value for field \"");
        AppendPath(builder);
        builder.Append("\": ").Append(problem);
        return new ApiDecodeException(builder.ToString());
    }

    private readonly void AppendPath(StringBuilder builder)
    {
        for (int i = 0; i < _count; i++)
        {
            AppendSegment(builder, _names[i]!, _indexes[i]);
        }
    }

    private static void AppendSegment(StringBuilder builder, string name, int index)
    {
        if (builder[^1] != '"')
        {
            builder.Append('.');
        }

        builder.Append(name);
        if (index >= 0)
        {
            builder.Append('[').Append(index.ToString(CultureInfo.InvariantCulture)).Append(']');
        }
    }

    [InlineArray(MaxSegments)]
    private struct SegmentNames
    {
        private string? _element;
    }

    [InlineArray(MaxSegments)]
    private struct SegmentIndexes
    {
        private int _element;
    }
}
