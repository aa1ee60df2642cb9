// One account event of the LSP's event stream, as the C# events of LightningClient carry it.

using System.Collections.Generic;

namespace Etrid
{
    /// <summary>
    /// An account event: an invoice paid, accepted, expired or cancelled, or a payment that
    /// succeeded or failed. Ids strictly increase per account: persist <see cref="Id"/> and pass
    /// it to <see cref="LightningClient.StartEvents"/> to resume without missing or repeating one.
    /// </summary>
    public sealed class LightningEvent
    {
        /// <summary>The event id (resume after it).</summary>
        public ulong Id { get; private set; }

        /// <summary><c>invoice.paid</c>, <c>invoice.accepted</c>, <c>invoice.expired</c>, <c>invoice.cancelled</c>, <c>payment.succeeded</c> or <c>payment.failed</c>.</summary>
        public string Type { get; private set; }

        /// <summary>When it happened, in unix seconds.</summary>
        public ulong CreatedAt { get; private set; }

        /// <summary>The id of the invoice (<c>invoice.*</c>) or payment (<c>payment.*</c>) it is about.</summary>
        public string ObjectId { get; private set; }

        /// <summary>The invoice's or payment's amount in msat (0 when it has none, e.g. an any-amount invoice).</summary>
        public ulong AmountMsat { get; private set; }

        /// <summary>The invoice's <c>external_id</c> (your order id), or null.</summary>
        public string ExternalId { get; private set; }

        /// <summary>The invoice or payment as JSON (the API's fields).</summary>
        public string DataJson { get; private set; }

        /// <summary>Reads the <c>event</c> member of an event item.</summary>
        internal static LightningEvent FromJson(Dictionary<string, object> item)
        {
            var data = Member(item, "data") as Dictionary<string, object>;
            return new LightningEvent
            {
                Id = Number(Member(item, "id")),
                Type = Member(item, "type") as string,
                CreatedAt = Number(Member(item, "created_at")),
                ObjectId = Member(data, "id") as string,
                AmountMsat = Number(Member(data, "amount_msat")),
                ExternalId = Member(data, "external_id") as string,
                DataJson = LightningJson.Write(data),
            };
        }

        static object Member(Dictionary<string, object> map, string name)
        {
            object value = null;
            if (map != null) map.TryGetValue(name, out value);
            return value;
        }

        static ulong Number(object value)
        {
            var number = value as JsonNumber;
            return number == null ? 0 : number.ToUInt64();
        }

        /// <summary>The type and id, for logs.</summary>
        public override string ToString()
        {
            return Type + " #" + Id + " (" + ObjectId + ")";
        }
    }
}
