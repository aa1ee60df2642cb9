// The package's tests and editor code reach the generated P/Invoke declarations (internal).

using System.Runtime.CompilerServices;

[assembly: InternalsVisibleTo("Etrid.Lightning.Tests")]
[assembly: InternalsVisibleTo("Etrid.Lightning.Editor")]
