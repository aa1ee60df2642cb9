# A tournament lobby: a player joins with a name and where prizes go, pays the entry's hold
# invoice (shown as a QR code), and watches the seats fill live (`tournament_updated`). The
# entry is only a hold until the tournament fills; if it is cancelled or its deadline passes
# unfilled, every hold is cancelled and every player refunded by the protocol.
extends Control

@onready var client: LightningClient = $LightningClient
@onready var tournament_id: LineEdit = $VBox/TournamentId
@onready var player: LineEdit = $VBox/Player
@onready var address: LineEdit = $VBox/PrizeAddress
@onready var join: Button = $VBox/Join
@onready var qr: TextureRect = $VBox/Qr
@onready var seats: Label = $VBox/Seats
@onready var status: Label = $VBox/Status

var _entry_invoice := ""


func _ready() -> void:
	client.base_url = ProjectSettings.get_setting("etrid_lightning/base_url", "")
	client.api_key = ProjectSettings.get_setting("etrid_lightning/api_key", "")
	client.network = ProjectSettings.get_setting("etrid_lightning/network", "regtest")
	var error: Dictionary = client.open()
	if not error.is_empty():
		status.text = "Cannot connect: %s" % error.message
		join.disabled = true
		return
	client.tournament_updated.connect(_show_seats)
	client.tournament_entry.connect(_on_entry)
	join.pressed.connect(_on_join_pressed)


func _on_join_pressed() -> void:
	join.disabled = true
	var result: Array = await client.get_tournament(tournament_id.text).completed
	if not result[0]:
		status.text = "No such tournament: %s" % result[1].message
		join.disabled = false
		return
	_show_seats(result[1])
	var payout := {"type": "lightning_address", "address": address.text}
	result = await client.join_tournament(tournament_id.text, player.text, payout).completed
	if not result[0]:
		# Joined twice, after the deadline, a full table: the error says which.
		status.text = "Cannot join: %s" % result[1].message
		join.disabled = false
		return
	var entry: Dictionary = result[1]
	_entry_invoice = entry.invoice_id
	qr.texture = client.qr_texture(entry.bolt11, 5)
	status.text = "Pay the entry fee to take your seat"


func _on_entry(entry: Dictionary) -> void:
	if entry.get("invoice_id", "") != _entry_invoice:
		return
	match entry.status:
		"held":
			status.text = "Seat taken: waiting for the table to fill"
			qr.texture = null
		"settled":
			status.text = "The tournament is on. Good luck!"
		"refunded", "expired":
			status.text = "The tournament did not start: your entry was refunded"


func _show_seats(tournament: Dictionary) -> void:
	if tournament.get("id", "") != tournament_id.text:
		return
	seats.text = "%s: %d of %d seats, entry %d sat" % [
		tournament.name, tournament.seats_taken, tournament.seats,
		tournament.entry_fee_msat / 1000]
