// The Étrid SDK's C ABI as an external module: the header (include/etrid.h) and the static
// library of crate etrid-ffi for each platform (lib/<Platform>/), built by
// plugins/unreal/build-native.sh, with the system libraries Rust's standard library needs there.
// Linux's list is the one `cargo rustc -p etrid-ffi --release --crate-type staticlib --
// --print native-static-libs` prints; plugins/unreal/tools/core-tests.sh links the tests with it.

using System.IO;
using UnrealBuildTool;

public class EtridFfi : ModuleRules
{
	/// <summary>What the static library needs from the system on Linux.</summary>
	static readonly string[] LinuxSystemLibraries = new string[] { "gcc_s", "util", "rt", "pthread", "m", "dl" };

	public EtridFfi(ReadOnlyTargetRules Target) : base(Target)
	{
		Type = ModuleType.External;
		PublicIncludePaths.Add(Path.Combine(ModuleDirectory, "include"));
		string Lib = Path.Combine(ModuleDirectory, "lib");

		if (Target.Platform == UnrealTargetPlatform.Win64)
		{
			PublicAdditionalLibraries.Add(Path.Combine(Lib, "Win64", "etrid_ffi.lib"));
			PublicSystemLibraries.AddRange(new string[] { "ws2_32.lib", "userenv.lib", "bcrypt.lib", "ntdll.lib", "advapi32.lib", "kernel32.lib" });
		}
		else if (Target.Platform == UnrealTargetPlatform.Linux)
		{
			PublicAdditionalLibraries.Add(Path.Combine(Lib, "Linux", "x86_64-unknown-linux-gnu", "libetrid_ffi.a"));
			PublicSystemLibraries.AddRange(LinuxSystemLibraries);
		}
		else if (Target.Platform == UnrealTargetPlatform.Mac)
		{
			PublicAdditionalLibraries.Add(Path.Combine(Lib, "Mac", "libetrid_ffi.a"));
			PublicFrameworks.AddRange(new string[] { "Security", "CoreFoundation", "SystemConfiguration" });
		}
		else if (Target.Platform == UnrealTargetPlatform.Android)
		{
			PublicAdditionalLibraries.Add(Path.Combine(Lib, "Android", "arm64-v8a", "libetrid_ffi.a"));
			PublicSystemLibraries.AddRange(new string[] { "log", "dl", "m" });
		}
		else if (Target.Platform == UnrealTargetPlatform.IOS)
		{
			PublicAdditionalLibraries.Add(Path.Combine(Lib, "IOS", "libetrid_ffi.a"));
			PublicFrameworks.AddRange(new string[] { "Security", "CoreFoundation", "SystemConfiguration" });
		}
	}
}
