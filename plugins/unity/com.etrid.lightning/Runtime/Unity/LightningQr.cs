// QR codes as Unity textures: a QrCodeMatrix drawn into a point-filtered Texture2D, so an invoice
// stays sharp (and scannable) at any on-screen size. UnityEngine-only: not part of the mcs build.

using System;
using UnityEngine;

namespace Etrid
{
    /// <summary>
    /// QR codes as <see cref="Texture2D"/>s, e.g. an invoice's <c>bolt11</c> for a RawImage or
    /// <c>GUI.DrawTexture</c>. Call on the main thread (Unity objects are
    /// created); destroy the texture with <see cref="UnityEngine.Object.Destroy(UnityEngine.Object)"/>
    /// when it is no longer shown: textures are native objects the garbage collector does not free.
    /// </summary>
    public static class LightningQr
    {
        static readonly Color32 Light = new Color32(255, 255, 255, 255);
        static readonly Color32 Dark = new Color32(0, 0, 0, 255);

        /// <summary>
        /// Encodes <paramref name="text"/> (an invoice, an LNURL, ...) as a QR code and draws it:
        /// shorthand for <c>Lightning.QrMatrix(text).ToTexture2D(...)</c>.
        /// </summary>
        /// <exception cref="EtridException">The text does not fit in a QR code.</exception>
        /// <exception cref="ArgumentOutOfRangeException">A size argument is out of range (see <see cref="ToTexture2D"/>).</exception>
        public static Texture2D Texture(string text, int pixelsPerModule = 8, int quietZoneModules = 4)
        {
            return Lightning.QrMatrix(text).ToTexture2D(pixelsPerModule, quietZoneModules);
        }

        /// <summary>
        /// Draws <paramref name="qr"/> into a new square texture: black modules of
        /// <paramref name="pixelsPerModule"/> pixels on white, inside a white quiet zone of
        /// <paramref name="quietZoneModules"/> modules (scanners need 4). Point-filtered, clamped,
        /// no mipmaps, so scaling it up keeps the module edges hard.
        /// </summary>
        /// <exception cref="ArgumentNullException"><paramref name="qr"/> is null.</exception>
        /// <exception cref="ArgumentOutOfRangeException"><paramref name="pixelsPerModule"/> is below 1,
        /// <paramref name="quietZoneModules"/> is negative, or the texture would exceed
        /// <see cref="SystemInfo.maxTextureSize"/>.</exception>
        public static Texture2D ToTexture2D(this QrCodeMatrix qr, int pixelsPerModule = 8, int quietZoneModules = 4)
        {
            if (qr == null) throw new ArgumentNullException("qr");
            if (pixelsPerModule < 1)
                throw new ArgumentOutOfRangeException("pixelsPerModule", "must be at least 1");
            if (quietZoneModules < 0)
                throw new ArgumentOutOfRangeException("quietZoneModules", "must not be negative");
            long sideLong = ((long)qr.Width + 2L * quietZoneModules) * pixelsPerModule;
            if (sideLong > SystemInfo.maxTextureSize)
                throw new ArgumentOutOfRangeException("pixelsPerModule",
                    "a " + sideLong + " px texture exceeds this GPU's limit of " + SystemInfo.maxTextureSize + " px");
            int side = (int)sideLong;
            int width = qr.Width;
            byte[] modules = qr.Modules;

            var pixels = new Color32[side * side];
            for (int py = 0; py < side; py++)
            {
                // Texture rows run bottom-up; the matrix's row 0 is the top of the code.
                int row = (side - 1 - py) / pixelsPerModule - quietZoneModules;
                bool rowInCode = row >= 0 && row < width;
                int offset = py * side;
                for (int px = 0; px < side; px++)
                {
                    int column = px / pixelsPerModule - quietZoneModules;
                    bool dark = rowInCode && column >= 0 && column < width && modules[row * width + column] != 0;
                    pixels[offset + px] = dark ? Dark : Light;
                }
            }

            var texture = new Texture2D(side, side, TextureFormat.RGBA32, false)
            {
                name = "Etrid QR",
                filterMode = FilterMode.Point,
                wrapMode = TextureWrapMode.Clamp,
            };
            texture.SetPixels32(pixels);
            texture.Apply(false);
            return texture;
        }
    }
}
