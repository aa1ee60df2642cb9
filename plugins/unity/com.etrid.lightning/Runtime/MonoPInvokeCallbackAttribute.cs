// IL2CPP compiles a managed method the native library calls back only when it carries an
// attribute of this name (any namespace); Mono ignores it. Declared here so the package does not
// need UnityEngine's AOT namespace and compiles the same with mcs.

using System;

namespace Etrid
{
    /// <summary>Marks a static method the native library calls back (IL2CPP needs it; Mono ignores it).</summary>
    [AttributeUsage(AttributeTargets.Method)]
    public sealed class MonoPInvokeCallbackAttribute : Attribute
    {
        /// <summary>Marks a callback of delegate type <paramref name="type"/>.</summary>
        public MonoPInvokeCallbackAttribute(Type type)
        {
            Type = type;
        }

        /// <summary>The delegate type.</summary>
        public Type Type { get; private set; }
    }
}
