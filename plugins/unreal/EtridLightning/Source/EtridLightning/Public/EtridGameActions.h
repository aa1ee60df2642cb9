// Blueprint async nodes for the game flows: tournaments (a player joins and pays the entry shown
// as a QR code; the organizer creates, enters results and pays winners) and streaming payments
// (pay per second while playing). Each node starts one request and fires OnSuccess or OnFailure
// once, on the game thread, as the nodes of EtridAsyncActions.h do. Arguments are built by
// EtridArgs.h (tested against a real LSP); amounts are millisatoshis as int64.
#pragma once

#include "CoreMinimal.h"

#include "EtridAsyncActions.h"

#include "EtridGameActions.generated.h"

/** What a prize or a stream's money is paid to. */
UENUM(BlueprintType)
enum class EEtridDestinationKind : uint8
{
	/** `name@host` (LUD-16): one this LSP serves is paid between accounts at once. */
	LightningAddress,
	/** An account of this LSP (`acc_…`), paid at once. */
	Account,
	/** A node id (hex), paid by keysend. */
	Keysend,
	/** A voucher (LNURL-withdraw) any wallet claims once: tournament prizes only. */
	Voucher
};

/** A destination: its kind and the address, account id or node id (unused for a voucher). */
USTRUCT(BlueprintType)
struct ETRIDLIGHTNING_API FEtridDestination
{
	GENERATED_BODY()

	UPROPERTY(EditAnywhere, BlueprintReadWrite, Category = "Etrid Lightning")
	EEtridDestinationKind Kind = EEtridDestinationKind::LightningAddress;

	UPROPERTY(EditAnywhere, BlueprintReadWrite, Category = "Etrid Lightning")
	FString Value;
};

/** A tournament as its organizer (or, from GetPublicTournament, anyone) sees it. */
USTRUCT(BlueprintType)
struct ETRIDLIGHTNING_API FEtridTournament
{
	GENERATED_BODY()

	UPROPERTY(BlueprintReadOnly, Category = "Etrid Lightning")
	FString Id;

	UPROPERTY(BlueprintReadOnly, Category = "Etrid Lightning")
	FString Name;

	/** `open`, `settling`, `funded`, `results`, `paying`, `completed`, `cancelling`, `cancelled`. */
	UPROPERTY(BlueprintReadOnly, Category = "Etrid Lightning")
	FString Status;

	UPROPERTY(BlueprintReadOnly, Category = "Etrid Lightning")
	int64 EntryFeeMsat = 0;

	UPROPERTY(BlueprintReadOnly, Category = "Etrid Lightning")
	int32 Seats = 0;

	UPROPERTY(BlueprintReadOnly, Category = "Etrid Lightning")
	int32 SeatsTaken = 0;

	/** What the winners share once every seat is taken (after the organizer's fee); 0 until
	 *  funded in the organizer's view, announced from the start in the public lobby. */
	UPROPERTY(BlueprintReadOnly, Category = "Etrid Lightning")
	int64 PrizeTotalMsat = 0;

	/** Unix seconds: unfilled by then, every entry is refunded. */
	UPROPERTY(BlueprintReadOnly, Category = "Etrid Lightning")
	int64 JoinDeadline = 0;

	/** The whole answer as the API's JSON (the lobby's players, payouts counts, …). */
	UPROPERTY(BlueprintReadOnly, Category = "Etrid Lightning")
	FString Json;
};

/** A player's entry: pay Bolt11 (show it as a QR code) to take the seat. */
USTRUCT(BlueprintType)
struct ETRIDLIGHTNING_API FEtridTournamentEntry
{
	GENERATED_BODY()

	UPROPERTY(BlueprintReadOnly, Category = "Etrid Lightning")
	FString TournamentId;

	UPROPERTY(BlueprintReadOnly, Category = "Etrid Lightning")
	FString PlayerId;

	/** `pending` (unpaid), `held`, `settled`, `refunded`, `expired`. */
	UPROPERTY(BlueprintReadOnly, Category = "Etrid Lightning")
	FString Status;

	UPROPERTY(BlueprintReadOnly, Category = "Etrid Lightning")
	FString InvoiceId;

	UPROPERTY(BlueprintReadOnly, Category = "Etrid Lightning")
	FString Bolt11;

	UPROPERTY(BlueprintReadOnly, Category = "Etrid Lightning")
	int64 AmountMsat = 0;

	UPROPERTY(BlueprintReadOnly, Category = "Etrid Lightning")
	int64 ExpiresAt = 0;

	UPROPERTY(BlueprintReadOnly, Category = "Etrid Lightning")
	FString Json;
};

/** A player's final rank (1, 1, 3, … for ties). */
USTRUCT(BlueprintType)
struct ETRIDLIGHTNING_API FEtridStanding
{
	GENERATED_BODY()

	UPROPERTY(EditAnywhere, BlueprintReadWrite, Category = "Etrid Lightning")
	FString PlayerId;

	UPROPERTY(EditAnywhere, BlueprintReadWrite, Category = "Etrid Lightning")
	int32 Rank = 0;
};

/** A winner's prize and where its payment stands. */
USTRUCT(BlueprintType)
struct ETRIDLIGHTNING_API FEtridTournamentPayout
{
	GENERATED_BODY()

	UPROPERTY(BlueprintReadOnly, Category = "Etrid Lightning")
	FString PlayerId;

	UPROPERTY(BlueprintReadOnly, Category = "Etrid Lightning")
	int32 Rank = 0;

	UPROPERTY(BlueprintReadOnly, Category = "Etrid Lightning")
	int64 AmountMsat = 0;

	/** `pending`, `in_flight`, `succeeded`, `failed`. */
	UPROPERTY(BlueprintReadOnly, Category = "Etrid Lightning")
	FString Status;

	/** For a voucher prize: the LNURL to show the winner as a QR code. */
	UPROPERTY(BlueprintReadOnly, Category = "Etrid Lightning")
	FString VoucherLnurl;

	UPROPERTY(BlueprintReadOnly, Category = "Etrid Lightning")
	FString Json;
};

/** A streaming payment: what it has earned and paid so far. */
USTRUCT(BlueprintType)
struct ETRIDLIGHTNING_API FEtridStream
{
	GENERATED_BODY()

	UPROPERTY(BlueprintReadOnly, Category = "Etrid Lightning")
	FString Id;

	/** `running`, `paused`, `settling` (stopping), `finished` (stopped or budget reached), `failed`. */
	UPROPERTY(BlueprintReadOnly, Category = "Etrid Lightning")
	FString State;

	UPROPERTY(BlueprintReadOnly, Category = "Etrid Lightning")
	int64 RateMsatPerSec = 0;

	UPROPERTY(BlueprintReadOnly, Category = "Etrid Lightning")
	int64 BudgetMsat = 0;

	UPROPERTY(BlueprintReadOnly, Category = "Etrid Lightning")
	int64 PaidMsat = 0;

	UPROPERTY(BlueprintReadOnly, Category = "Etrid Lightning")
	FString Json;
};

DECLARE_DYNAMIC_MULTICAST_DELEGATE_OneParam(FEtridTournamentResult, const FEtridTournament&, Tournament);
DECLARE_DYNAMIC_MULTICAST_DELEGATE_OneParam(FEtridEntryResult, const FEtridTournamentEntry&, Entry);
DECLARE_DYNAMIC_MULTICAST_DELEGATE_OneParam(FEtridPayoutsResult, const TArray<FEtridTournamentPayout>&, Payouts);
DECLARE_DYNAMIC_MULTICAST_DELEGATE_OneParam(FEtridStreamResult, const FEtridStream&, Stream);

/** Create, read or cancel a tournament. */
UCLASS()
class ETRIDLIGHTNING_API UEtridTournamentAction : public UEtridRequestAction
{
	GENERATED_BODY()

public:
	UPROPERTY(BlueprintAssignable)
	FEtridTournamentResult OnSuccess;

	/** Creates a tournament (admin key: the organizer's machine or server). PayoutTableBps: the
	 *  prize share per rank in basis points, rank 1 first, summing to 10000. JoinDeadline in unix
	 *  seconds. bPublicJoin: players join and read the lobby without a key. */
	UFUNCTION(BlueprintCallable, Category = "Etrid Lightning|Tournaments", meta = (BlueprintInternalUseOnly = "true", WorldContext = "WorldContextObject"))
	static UEtridTournamentAction* CreateTournament(UObject* WorldContextObject, const FString& Name, int64 EntryFeeMsat, int32 Seats,
		const TArray<int32>& PayoutTableBps, int32 OrganizerFeeBps, int64 JoinDeadline, bool bPublicJoin);

	UFUNCTION(BlueprintCallable, Category = "Etrid Lightning|Tournaments", meta = (BlueprintInternalUseOnly = "true", WorldContext = "WorldContextObject"))
	static UEtridTournamentAction* GetTournament(UObject* WorldContextObject, const FString& TournamentId);

	/** A public tournament's lobby (any key, or none): terms, seats and seated players. */
	UFUNCTION(BlueprintCallable, Category = "Etrid Lightning|Tournaments", meta = (BlueprintInternalUseOnly = "true", WorldContext = "WorldContextObject"))
	static UEtridTournamentAction* GetPublicTournament(UObject* WorldContextObject, const FString& TournamentId);

	/** Cancels it: every held entry goes back to its player. */
	UFUNCTION(BlueprintCallable, Category = "Etrid Lightning|Tournaments", meta = (BlueprintInternalUseOnly = "true", WorldContext = "WorldContextObject"))
	static UEtridTournamentAction* CancelTournament(UObject* WorldContextObject, const FString& TournamentId);

protected:
	virtual void Succeed(const std::string& Json) override;
};

/** Join a tournament: the entry, with the invoice that takes the seat once paid. */
UCLASS()
class ETRIDLIGHTNING_API UEtridTournamentEntryAction : public UEtridRequestAction
{
	GENERATED_BODY()

public:
	UPROPERTY(BlueprintAssignable)
	FEtridEntryResult OnSuccess;

	/** Joins PlayerId (letters, digits, `_ - . :`), whose prize goes to Payout. */
	UFUNCTION(BlueprintCallable, Category = "Etrid Lightning|Tournaments", meta = (BlueprintInternalUseOnly = "true", WorldContext = "WorldContextObject"))
	static UEtridTournamentEntryAction* JoinTournament(UObject* WorldContextObject, const FString& TournamentId, const FString& PlayerId,
		const FEtridDestination& Payout);

	/** The same for a public tournament, with any key or none (a player build). */
	UFUNCTION(BlueprintCallable, Category = "Etrid Lightning|Tournaments", meta = (BlueprintInternalUseOnly = "true", WorldContext = "WorldContextObject"))
	static UEtridTournamentEntryAction* JoinPublicTournament(UObject* WorldContextObject, const FString& TournamentId, const FString& PlayerId,
		const FEtridDestination& Payout);

protected:
	virtual void Succeed(const std::string& Json) override;
};

/** Enter the results or pay the winners (admin key): every payout, by rank. */
UCLASS()
class ETRIDLIGHTNING_API UEtridTournamentPayoutsAction : public UEtridRequestAction
{
	GENERATED_BODY()

public:
	UPROPERTY(BlueprintAssignable)
	FEtridPayoutsResult OnSuccess;

	/** The final standings; players left out win nothing. The prizes are split exactly. */
	UFUNCTION(BlueprintCallable, Category = "Etrid Lightning|Tournaments", meta = (BlueprintInternalUseOnly = "true", WorldContext = "WorldContextObject"))
	static UEtridTournamentPayoutsAction* EnterTournamentResults(UObject* WorldContextObject, const FString& TournamentId,
		const TArray<FEtridStanding>& Standings);

	/** Pays every winner once (again after a failure or a crash: no one is paid twice). */
	UFUNCTION(BlueprintCallable, Category = "Etrid Lightning|Tournaments", meta = (BlueprintInternalUseOnly = "true", WorldContext = "WorldContextObject"))
	static UEtridTournamentPayoutsAction* PayTournament(UObject* WorldContextObject, const FString& TournamentId);

protected:
	virtual void Succeed(const std::string& Json) override;
};

/** Start, read, pause, resume or stop a streaming payment (admin key, or the stream's own key
 *  for everything but CreateStream). */
UCLASS()
class ETRIDLIGHTNING_API UEtridStreamAction : public UEtridRequestAction
{
	GENERATED_BODY()

public:
	UPROPERTY(BlueprintAssignable)
	FEtridStreamResult OnSuccess;

	/** Pays Destination RateMsatPerSec while running, never more than BudgetMsat in all; the same
	 *  IdempotencyKey again answers the same stream. */
	UFUNCTION(BlueprintCallable, Category = "Etrid Lightning|Streams", meta = (BlueprintInternalUseOnly = "true", WorldContext = "WorldContextObject"))
	static UEtridStreamAction* CreateStream(UObject* WorldContextObject, const FEtridDestination& Destination, int64 RateMsatPerSec,
		int64 BudgetMsat, const FString& IdempotencyKey, const FString& Description);

	UFUNCTION(BlueprintCallable, Category = "Etrid Lightning|Streams", meta = (BlueprintInternalUseOnly = "true", WorldContext = "WorldContextObject"))
	static UEtridStreamAction* GetStream(UObject* WorldContextObject, const FString& StreamId);

	UFUNCTION(BlueprintCallable, Category = "Etrid Lightning|Streams", meta = (BlueprintInternalUseOnly = "true", WorldContext = "WorldContextObject"))
	static UEtridStreamAction* PauseStream(UObject* WorldContextObject, const FString& StreamId);

	UFUNCTION(BlueprintCallable, Category = "Etrid Lightning|Streams", meta = (BlueprintInternalUseOnly = "true", WorldContext = "WorldContextObject"))
	static UEtridStreamAction* ResumeStream(UObject* WorldContextObject, const FString& StreamId);

	/** Stops it for good: what it earned is paid, nothing more. */
	UFUNCTION(BlueprintCallable, Category = "Etrid Lightning|Streams", meta = (BlueprintInternalUseOnly = "true", WorldContext = "WorldContextObject"))
	static UEtridStreamAction* StopStream(UObject* WorldContextObject, const FString& StreamId);

protected:
	virtual void Succeed(const std::string& Json) override;
};
