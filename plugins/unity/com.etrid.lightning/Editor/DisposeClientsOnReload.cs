// Frees every LightningClient before the Editor reloads the scripting domain (a script change,
// entering Play Mode) and when Play Mode ends. A client owns a native runtime thread that calls
// back through GCHandles into the current domain: surviving a reload, it would call into freed
// managed state and take the Editor down.
//
// Namespace Etrid, not Etrid.Editor: a namespace named Editor would shadow UnityEditor.Editor for
// every script under namespace Etrid.

using UnityEditor;

namespace Etrid
{
    /// <summary>
    /// Disposes all live <see cref="LightningClient"/>s before each assembly reload and on leaving
    /// Play Mode. Nothing to call: <see cref="InitializeOnLoadAttribute"/> registers it whenever
    /// the Editor loads scripts.
    /// </summary>
    [InitializeOnLoad]
    static class DisposeClientsOnReload
    {
        static DisposeClientsOnReload()
        {
            // The static constructor runs once per domain, and a reload drops the old
            // subscriptions with the old domain: no double registration.
            AssemblyReloadEvents.beforeAssemblyReload += LightningClient.DisposeAll;
            EditorApplication.playModeStateChanged += OnPlayModeStateChanged;
        }

        /// <summary>Disposes the play session's clients as it ends, before the Editor scene returns.</summary>
        static void OnPlayModeStateChanged(PlayModeStateChange change)
        {
            if (change == PlayModeStateChange.ExitingPlayMode) LightningClient.DisposeAll();
        }
    }
}
