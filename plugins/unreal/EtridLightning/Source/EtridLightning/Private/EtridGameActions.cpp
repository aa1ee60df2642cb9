#include "EtridGameActions.h"

#include "EtridArgs.h"
#include "EtridJsonFields.h"

namespace
{
using EtridJson::Field;
using EtridJson::FromUtf8;
using EtridJson::Int;
using EtridJson::ToUtf8;

etrid::args::Destination DestinationOf(const FEtridDestination& Destination)
{
	const std::string Value = ToUtf8(Destination.Value);
	switch (Destination.Kind)
	{
	case EEtridDestinationKind::Account:
		return etrid::args::Destination::Account(Value);
	case EEtridDestinationKind::Keysend:
		return etrid::args::Destination::Keysend(Value);
	case EEtridDestinationKind::Voucher:
		return etrid::args::Destination::Voucher();
	default:
		return etrid::args::Destination::LightningAddress(Value);
	}
}

/** `{"<Key>": "<Id>"}` as an FString. */
FString IdArgs(const char* Key, const FString& Id)
{
	return FromUtf8(etrid::args::Id(Key, ToUtf8(Id)));
}

/** A count the API keeps small (seats, ranks) as int32, clamped rather than wrapped. */
int32 Count(const std::string& Json, const char* Key)
{
	return static_cast<int32>(FMath::Min<int64>(Int(Json, Key), MAX_int32));
}

/** Non-negative values for the API's unsigned fields (a negative Blueprint input becomes 0, which
 *  the API refuses with a typed error naming the field). */
uint64_t Unsigned(int64 Value)
{
	return Value > 0 ? static_cast<uint64_t>(Value) : 0;
}
}  // namespace

UEtridTournamentAction* UEtridTournamentAction::CreateTournament(UObject* WorldContextObject, const FString& Name, int64 EntryFeeMsat,
	int32 Seats, const TArray<int32>& PayoutTableBps, int32 OrganizerFeeBps, int64 JoinDeadline, bool bPublicJoin)
{
	etrid::args::TournamentSpec Spec;
	Spec.name = ToUtf8(Name);
	Spec.entry_fee_msat = Unsigned(EntryFeeMsat);
	Spec.seats = static_cast<uint32_t>(Unsigned(Seats));
	for (int32 Bps : PayoutTableBps)
	{
		Spec.payout_table_bps.push_back(static_cast<uint32_t>(Unsigned(Bps)));
	}
	Spec.organizer_fee_bps = static_cast<uint32_t>(Unsigned(OrganizerFeeBps));
	Spec.join_deadline = Unsigned(JoinDeadline);
	Spec.public_join = bPublicJoin;
	return Make<UEtridTournamentAction>(WorldContextObject, ETRID_OPERATION_CREATE_TOURNAMENT, FromUtf8(etrid::args::CreateTournament(Spec)));
}

UEtridTournamentAction* UEtridTournamentAction::GetTournament(UObject* WorldContextObject, const FString& TournamentId)
{
	return Make<UEtridTournamentAction>(WorldContextObject, ETRID_OPERATION_GET_TOURNAMENT, IdArgs("tournament_id", TournamentId));
}

UEtridTournamentAction* UEtridTournamentAction::GetPublicTournament(UObject* WorldContextObject, const FString& TournamentId)
{
	return Make<UEtridTournamentAction>(WorldContextObject, ETRID_OPERATION_GET_PUBLIC_TOURNAMENT, IdArgs("tournament_id", TournamentId));
}

UEtridTournamentAction* UEtridTournamentAction::CancelTournament(UObject* WorldContextObject, const FString& TournamentId)
{
	return Make<UEtridTournamentAction>(WorldContextObject, ETRID_OPERATION_CANCEL_TOURNAMENT, IdArgs("tournament_id", TournamentId));
}

void UEtridTournamentAction::Succeed(const std::string& Json)
{
	FEtridTournament Tournament;
	Tournament.Id = Field(Json, "id");
	Tournament.Name = Field(Json, "name");
	Tournament.Status = Field(Json, "status");
	Tournament.EntryFeeMsat = Int(Json, "entry_fee_msat");
	Tournament.Seats = Count(Json, "seats");
	Tournament.SeatsTaken = Count(Json, "seats_taken");
	Tournament.PrizeTotalMsat = Int(Json, "prize_total_msat");
	Tournament.JoinDeadline = Int(Json, "join_deadline");
	Tournament.Json = FromUtf8(Json);
	OnSuccess.Broadcast(Tournament);
}

UEtridTournamentEntryAction* UEtridTournamentEntryAction::JoinTournament(UObject* WorldContextObject, const FString& TournamentId,
	const FString& PlayerId, const FEtridDestination& Payout)
{
	return Make<UEtridTournamentEntryAction>(WorldContextObject, ETRID_OPERATION_JOIN_TOURNAMENT,
		FromUtf8(etrid::args::JoinTournament(ToUtf8(TournamentId), ToUtf8(PlayerId), DestinationOf(Payout))));
}

UEtridTournamentEntryAction* UEtridTournamentEntryAction::JoinPublicTournament(UObject* WorldContextObject, const FString& TournamentId,
	const FString& PlayerId, const FEtridDestination& Payout)
{
	return Make<UEtridTournamentEntryAction>(WorldContextObject, ETRID_OPERATION_JOIN_PUBLIC_TOURNAMENT,
		FromUtf8(etrid::args::JoinTournament(ToUtf8(TournamentId), ToUtf8(PlayerId), DestinationOf(Payout))));
}

void UEtridTournamentEntryAction::Succeed(const std::string& Json)
{
	FEtridTournamentEntry Entry;
	Entry.TournamentId = Field(Json, "tournament_id");
	Entry.PlayerId = Field(Json, "player_id");
	Entry.Status = Field(Json, "status");
	Entry.InvoiceId = Field(Json, "invoice_id");
	Entry.Bolt11 = Field(Json, "bolt11");
	Entry.AmountMsat = Int(Json, "amount_msat");
	Entry.ExpiresAt = Int(Json, "expires_at");
	Entry.Json = FromUtf8(Json);
	OnSuccess.Broadcast(Entry);
}

UEtridTournamentPayoutsAction* UEtridTournamentPayoutsAction::EnterTournamentResults(UObject* WorldContextObject, const FString& TournamentId,
	const TArray<FEtridStanding>& Standings)
{
	std::vector<etrid::args::Standing> Ranks;
	for (const FEtridStanding& Standing : Standings)
	{
		Ranks.push_back({ToUtf8(Standing.PlayerId), static_cast<uint32_t>(Unsigned(Standing.Rank))});
	}
	return Make<UEtridTournamentPayoutsAction>(WorldContextObject, ETRID_OPERATION_ENTER_TOURNAMENT_RESULTS,
		FromUtf8(etrid::args::TournamentResults(ToUtf8(TournamentId), Ranks)));
}

UEtridTournamentPayoutsAction* UEtridTournamentPayoutsAction::PayTournament(UObject* WorldContextObject, const FString& TournamentId)
{
	return Make<UEtridTournamentPayoutsAction>(WorldContextObject, ETRID_OPERATION_PAY_TOURNAMENT, IdArgs("tournament_id", TournamentId));
}

void UEtridTournamentPayoutsAction::Succeed(const std::string& Json)
{
	std::vector<std::string> Items;
	TArray<FEtridTournamentPayout> Payouts;
	if (etrid::TopLevelArray(Json, "items", &Items))
	{
		for (const std::string& Item : Items)
		{
			FEtridTournamentPayout Payout;
			Payout.PlayerId = Field(Item, "player_id");
			Payout.Rank = Count(Item, "rank");
			Payout.AmountMsat = Int(Item, "amount_msat");
			Payout.Status = Field(Item, "status");
			Payout.VoucherLnurl = Field(Item, "voucher_lnurl");
			Payout.Json = FromUtf8(Item);
			Payouts.Add(Payout);
		}
	}
	OnSuccess.Broadcast(Payouts);
}

UEtridStreamAction* UEtridStreamAction::CreateStream(UObject* WorldContextObject, const FEtridDestination& Destination, int64 RateMsatPerSec,
	int64 BudgetMsat, const FString& IdempotencyKey, const FString& Description)
{
	return Make<UEtridStreamAction>(WorldContextObject, ETRID_OPERATION_CREATE_STREAM,
		FromUtf8(etrid::args::CreateStream(DestinationOf(Destination), Unsigned(RateMsatPerSec), Unsigned(BudgetMsat), ToUtf8(IdempotencyKey),
			ToUtf8(Description))));
}

UEtridStreamAction* UEtridStreamAction::GetStream(UObject* WorldContextObject, const FString& StreamId)
{
	return Make<UEtridStreamAction>(WorldContextObject, ETRID_OPERATION_GET_STREAM, IdArgs("stream_id", StreamId));
}

UEtridStreamAction* UEtridStreamAction::PauseStream(UObject* WorldContextObject, const FString& StreamId)
{
	return Make<UEtridStreamAction>(WorldContextObject, ETRID_OPERATION_PAUSE_STREAM, IdArgs("stream_id", StreamId));
}

UEtridStreamAction* UEtridStreamAction::ResumeStream(UObject* WorldContextObject, const FString& StreamId)
{
	return Make<UEtridStreamAction>(WorldContextObject, ETRID_OPERATION_RESUME_STREAM, IdArgs("stream_id", StreamId));
}

UEtridStreamAction* UEtridStreamAction::StopStream(UObject* WorldContextObject, const FString& StreamId)
{
	return Make<UEtridStreamAction>(WorldContextObject, ETRID_OPERATION_STOP_STREAM, IdArgs("stream_id", StreamId));
}

void UEtridStreamAction::Succeed(const std::string& Json)
{
	FEtridStream Stream;
	Stream.Id = Field(Json, "id");
	Stream.State = Field(Json, "state");
	Stream.RateMsatPerSec = Int(Json, "rate_msat_per_sec");
	Stream.BudgetMsat = Int(Json, "budget_msat");
	Stream.PaidMsat = Int(Json, "paid_msat");
	Stream.Json = FromUtf8(Json);
	OnSuccess.Broadcast(Stream);
}
