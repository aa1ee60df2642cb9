// The plugin's Runtime module: the game-instance subsystem, the Blueprint async nodes and the QR
// texture over the engine-independent layer (Public/EtridCore.h) and the C ABI (EtridFfi).

using UnrealBuildTool;

public class EtridLightning : ModuleRules
{
	public EtridLightning(ReadOnlyTargetRules Target) : base(Target)
	{
		PCHUsage = PCHUsageMode.UseExplicitOrSharedPCHs;
		PublicDependencyModuleNames.AddRange(new string[] { "Core", "CoreUObject", "Engine", "EtridFfi" });
	}
}
