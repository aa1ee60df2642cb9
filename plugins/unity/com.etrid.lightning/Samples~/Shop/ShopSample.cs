// Sample: sell one item for sats. A button creates an invoice carrying your order id, the
// invoice is shown as a QR code, and the item unlocks when the LSP's invoice.paid event for that
// invoice arrives. IMGUI (OnGUI) only, so the scene needs no Canvas or prefabs.
//
// The key must be invoice-scoped: it can create and read invoices, never spend. Never ship an
// admin key in a game build.

using System;
using System.Collections.Generic;
using UnityEngine;

namespace Etrid.Samples.Shop
{
    /// <summary>
    /// A one-item shop: "Buy" creates an invoice, its QR code is drawn, and the item unlocks on
    /// the paid event. Set the LSP URL and an invoice-scoped key in the Inspector.
    /// </summary>
    public sealed class ShopSample : MonoBehaviour
    {
        [Tooltip("The Étrid LSP's base URL.")]
        [SerializeField] string baseUrl = "http://127.0.0.1:8080";

        [Tooltip("An invoice-scoped API key (create one with the admin key; never ship an admin key).")]
        [SerializeField] string apiKey = "";

        [Tooltip("bitcoin, testnet, signet or regtest: invoices of another network are refused.")]
        [SerializeField] string network = "regtest";

        [SerializeField] string itemName = "Golden Sword";

        [Tooltip("The price in millisatoshis (1 sat = 1000 msat).")]
        [SerializeField] long priceMsat = 21000000;

        LightningClient client;
        string orderId;
        string invoiceId;
        string bolt11;
        Texture2D qr;
        bool creating;
        bool unlocked;
        string status = "";

        void Start()
        {
            if (string.IsNullOrEmpty(apiKey) || priceMsat <= 0)
            {
                status = "Set an invoice-scoped API key and a positive price on the ShopSample component.";
                return;
            }
            // Created on the main thread: the client captures Unity's SynchronizationContext, so
            // its events and task continuations run here, on the main thread.
            client = new LightningClient(baseUrl, apiKey, network);
            client.InvoicePaid += OnInvoicePaid;
            client.InvoiceExpired += OnInvoiceExpired;
            client.Resync += OnResync;
            client.StreamError += error => status = "Event stream stopped: " + error.Code + " (" + error.Message + ")";
            // From now on. A real shop persists the last handled event id and passes it here, so
            // a payment made while the game was closed is still delivered.
            client.StartEvents();
        }

        void OnDestroy()
        {
            // Pending requests fail as cancelled and the event stream stops; no callback follows.
            if (client != null) client.Dispose();
            client = null;
            DropQr();
        }

        /// <summary>Creates the invoice (or gets the same one back on a retry: same order id).</summary>
        async void Buy()
        {
            creating = true;
            status = "Creating the invoice...";
            // The same external_id returns the same invoice, so a retried click never bills twice.
            if (orderId == null) orderId = "shop-" + Guid.NewGuid().ToString("N");
            try
            {
                string json = await client.CreateInvoiceAsync((ulong)priceMsat, itemName, orderId);
                if (this == null) return; // destroyed while waiting
                Dictionary<string, object> invoice = LightningJson.ParseObject(json);
                invoiceId = invoice["id"] as string;
                bolt11 = invoice["bolt11"] as string;
                DropQr();
                qr = LightningQr.Texture(bolt11);
                status = "Scan to pay " + priceMsat / 1000 + " sats.";
            }
            catch (LspException error)
            {
                if (this == null) return;
                status = "Could not create the invoice: " + error.Code + " (" + error.Message + ")"
                    + (error.Retryable ? "; try again." : ".");
            }
            finally
            {
                creating = false;
            }
        }

        void OnInvoicePaid(LightningEvent paid)
        {
            if (paid.ObjectId != invoiceId) return; // another invoice of the account
            unlocked = true;
            status = "Paid: " + itemName + " is yours.";
            DropQr();
        }

        void OnInvoiceExpired(LightningEvent expired)
        {
            if (expired.ObjectId != invoiceId) return;
            // A new purchase needs a new order id: the expired invoice cannot be paid any more.
            orderId = null;
            invoiceId = null;
            bolt11 = null;
            DropQr();
            status = "The invoice expired unpaid.";
        }

        /// <summary>Events were missed (the stream was down too long): ask the LSP directly.</summary>
        async void OnResync()
        {
            if (invoiceId == null || unlocked) return;
            try
            {
                string json = await client.GetInvoiceAsync(invoiceId);
                if (this == null) return;
                if (LightningJson.ParseObject(json)["status"] as string == "paid")
                {
                    unlocked = true;
                    status = "Paid: " + itemName + " is yours.";
                    DropQr();
                }
            }
            catch (LspException error)
            {
                if (this == null) return;
                status = "Could not check the invoice: " + error.Code;
            }
        }

        void DropQr()
        {
            // Textures are native objects: destroy them, the garbage collector does not.
            if (qr != null) Destroy(qr);
            qr = null;
        }

        void OnGUI()
        {
            GUILayout.BeginArea(new Rect(20, 20, 420, Screen.height - 40));
            GUILayout.Label("Étrid Lightning shop (Lightning " + Lightning.Version + ")");
            if (unlocked)
            {
                GUILayout.Label("You own the " + itemName + ".");
            }
            else if (client != null)
            {
                if (invoiceId == null)
                {
                    GUI.enabled = !creating;
                    if (GUILayout.Button("Buy " + itemName + " for " + priceMsat / 1000 + " sats", GUILayout.Height(32))) Buy();
                    GUI.enabled = true;
                }
                else if (qr != null)
                {
                    Rect area = GUILayoutUtility.GetRect(256, 256, GUILayout.ExpandWidth(false));
                    GUI.DrawTexture(area, qr, ScaleMode.ScaleToFit);
                    GUILayout.TextArea(bolt11, GUILayout.Height(60));
                    if (GUILayout.Button("Copy invoice")) GUIUtility.systemCopyBuffer = bolt11;
                }
            }
            GUILayout.Label(status);
            GUILayout.EndArea();
        }
    }
}
