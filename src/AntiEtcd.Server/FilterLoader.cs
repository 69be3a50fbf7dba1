using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.Loader;

namespace AntiEtcd.Server;

/// <summary>Creates a filter class named <c>PATH.dll:Namespace.Type</c> (SPEC §11.2, §13.4).</summary>
/// <remarks>
/// The class needs a public constructor taking <c>IReadOnlyDictionary&lt;string,string&gt;</c> (every
/// option, unknown ones included, names in snake_case) or a public parameterless one. A Native AOT
/// build cannot load assemblies and refuses with a clear error.
/// </remarks>
public static class FilterLoader
{
    /// <summary>Loads the assembly, finds the type and creates an instance.</summary>
    /// <typeparam name="T">The interface the class must implement.</typeparam>
    /// <param name="option">The option name, for messages (e.g. <c>auth_filter</c>).</param>
    /// <param name="spec"><c>PATH.dll:Namespace.Type</c>; a relative path is resolved against the working directory.</param>
    /// <param name="options">All options, for the constructor.</param>
    /// <exception cref="ArgumentException">Anything that prevents creating the filter; the message says what.</exception>
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "Loading a user assembly is the purpose; refused under Native AOT.")]
    [UnconditionalSuppressMessage("Trimming", "IL2072", Justification = "Loading a user assembly is the purpose; refused under Native AOT.")]
    [UnconditionalSuppressMessage("Trimming", "IL2075", Justification = "The type comes from the user assembly just loaded, which the trimmer never sees; refused under Native AOT.")]
    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = "Refused when dynamic code is not supported.")]
    public static T Create<T>(string option, string spec, IReadOnlyDictionary<string, string> options)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(options);
        if (!RuntimeFeature.IsDynamicCodeSupported)
        {
            throw new ArgumentException($"--{option}: this build (Native AOT) cannot load assemblies; embed the server and pass the filter in AntiEtcdOptions instead", option);
        }

        var colon = spec.LastIndexOf(':');
        if (colon <= 0 || colon == spec.Length - 1)
        {
            throw new ArgumentException($"--{option}: expected PATH.dll:Namespace.Type, got '{spec}'", option);
        }

        var path = Path.GetFullPath(spec[..colon]);
        var typeName = spec[(colon + 1)..];
        try
        {
            var assembly = AssemblyLoadContext.Default.LoadFromAssemblyPath(path);
            var type = assembly.GetType(typeName, throwOnError: false)
                ?? throw new ArgumentException($"--{option}: {path} has no type {typeName}", option);
            if (!typeof(T).IsAssignableFrom(type))
            {
                throw new ArgumentException($"--{option}: {typeName} does not implement {typeof(T).Name}", option);
            }

            var withOptions = type.GetConstructor([typeof(IReadOnlyDictionary<string, string>)]);
            var instance = withOptions is not null
                ? withOptions.Invoke([options])
                : Activator.CreateInstance(type) ?? throw new ArgumentException($"--{option}: cannot create {typeName}", option);
            return (T)instance;
        }
        catch (Exception ex) when (ex is FileNotFoundException or FileLoadException or BadImageFormatException or TargetInvocationException or MissingMethodException)
        {
            throw new ArgumentException($"--{option}: cannot load {spec}: {(ex as TargetInvocationException)?.InnerException?.Message ?? ex.Message}", option, ex);
        }
    }
}
