// Frees every LightningClient where a Unity player or play session ends without a domain reload:
// entering Play Mode with "Enter Play Mode Options" (domain reload off) and quitting. A client
// holds a native runtime thread and GCHandles; left alive it keeps calling back into a session
// that is gone. UnityEngine-only: not part of the mcs build.

using UnityEngine;

namespace Etrid
{
    /// <summary>
    /// Disposes leftover <see cref="LightningClient"/>s at the start of each play session and on
    /// quit. Nothing to call: Unity runs it. (Editor domain reloads are covered by the
    /// Etrid.Lightning.Editor assembly.)
    /// </summary>
    static class LightningRuntime
    {
        /// <summary>
        /// Runs before any scene loads, each time Play Mode is entered (with or without a domain
        /// reload) and at player start-up: disposes clients a previous session left (only
        /// possible with domain reload disabled) and registers the quit hook once per session.
        /// </summary>
        [RuntimeInitializeOnLoadMethod(RuntimeInitializeLoadType.SubsystemRegistration)]
        static void ResetForPlaySession()
        {
            LightningClient.DisposeAll();
            // Static event: without a domain reload the previous session's subscription is
            // still there, so remove it before adding (removing an absent handler is a no-op).
            Application.quitting -= LightningClient.DisposeAll;
            Application.quitting += LightningClient.DisposeAll;
        }
    }
}
