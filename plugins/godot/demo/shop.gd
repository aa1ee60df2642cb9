# A one-item shop paid in sats: the game creates an invoice for the sword, shows it as a QR
# code, and hands the sword over when the LSP says the invoice is paid (the `invoice_paid`
# signal, on the main thread). An invoice key is all the game holds: it cannot pay out.
extends Control

const SWORD_PRICE_MSAT := 21_000_000  # 21,000 sat; amounts are whole millisatoshis (int)

@onready var client: LightningClient = $LightningClient
@onready var qr: TextureRect = $VBox/Qr
@onready var status: Label = $VBox/Status
@onready var buy: Button = $VBox/Buy

var _invoice_id := ""


func _ready() -> void:
	# Settings from project.godot ([etrid_lightning]); the inspector works as well.
	client.base_url = ProjectSettings.get_setting("etrid_lightning/base_url", "")
	client.api_key = ProjectSettings.get_setting("etrid_lightning/api_key", "")
	client.network = ProjectSettings.get_setting("etrid_lightning/network", "regtest")
	var error: Dictionary = client.open()
	if not error.is_empty():
		status.text = "Cannot connect: %s" % error.message
		buy.disabled = true
		return
	client.invoice_paid.connect(_on_invoice_paid)
	client.invoice_expired.connect(_on_invoice_expired)
	buy.pressed.connect(_on_buy_pressed)


func _on_buy_pressed() -> void:
	buy.disabled = true
	status.text = "Creating the invoice…"
	var request: LightningRequest = client.create_invoice(SWORD_PRICE_MSAT, "Magic sword")
	var result: Array = await request.completed  # [ok, invoice or error]
	if not result[0]:
		status.text = "Could not create the invoice: %s" % result[1].message
		buy.disabled = false
		return
	var invoice: Dictionary = result[1]
	_invoice_id = invoice.id
	qr.texture = client.qr_texture(invoice.bolt11, 6)
	status.text = "Scan to pay %d sat" % (invoice.amount_msat / 1000)


func _on_invoice_paid(invoice: Dictionary) -> void:
	if invoice.id != _invoice_id:
		return
	status.text = "Paid. The sword is yours!"
	qr.texture = null
	buy.disabled = false


func _on_invoice_expired(invoice: Dictionary) -> void:
	if invoice.id != _invoice_id:
		return
	status.text = "The invoice expired: buy again for a new one."
	qr.texture = null
	buy.disabled = false
