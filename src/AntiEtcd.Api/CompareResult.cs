namespace AntiEtcd.Api;

/// <summary>etcd <c>Compare_CompareResult</c>; the numeric values are the wire values.</summary>
public enum CompareResult
{
    /// <summary>Equal.</summary>
    Equal = 0,

    /// <summary>Greater than the reference value.</summary>
    Greater = 1,

    /// <summary>Less than the reference value.</summary>
    Less = 2,

    /// <summary>Not equal.</summary>
    NotEqual = 3,
}
