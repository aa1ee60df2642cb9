// One Étrid Lightning client per game instance: connect once, make requests from Blueprints (the
// async nodes in EtridAsyncActions.h) or C++, and receive the account's events as delegates.
// Everything happens on the game thread: the subsystem pumps the client every frame, so every
// callback and event arrives there, and a callback whose UObject is gone is dropped.
#pragma once

#include "CoreMinimal.h"
#include "Subsystems/GameInstanceSubsystem.h"
#include "Tickable.h"

#include "EtridCore.h"

#include "EtridLightningSubsystem.generated.h"

/** An event of the account: its type (`invoice.paid`, `payment.succeeded`, `tournament.updated`,
 *  …), its id (persist it to resume after it), and its data as JSON. */
DECLARE_DYNAMIC_MULTICAST_DELEGATE_ThreeParams(FEtridEventSignature, const FString&, Type, int64, EventId, const FString&, DataJson);

/** The event stream reported a gap it could not fill (`resync`) or an error: reload state. */
DECLARE_DYNAMIC_MULTICAST_DELEGATE_TwoParams(FEtridStreamNoticeSignature, const FString&, Kind, const FString&, Json);

UCLASS()
class ETRIDLIGHTNING_API UEtridLightningSubsystem : public UGameInstanceSubsystem, public FTickableGameObject
{
	GENERATED_BODY()

public:
	/** Connects to the LSP at BaseUrl with ApiKey (an invoice-scoped key in a shipped game; empty:
	 *  keyless, public tournament lobbies only) on Network (`bitcoin`, `testnet`, `signet`,
	 *  `regtest`). Replaces any earlier client. False, with the error code, when refused. */
	UFUNCTION(BlueprintCallable, Category = "Etrid Lightning")
	bool Connect(const FString& BaseUrl, const FString& ApiKey, const FString& Network, FString& ErrorCode);

	/** Closes the client: requests in flight are cancelled without their callbacks. */
	UFUNCTION(BlueprintCallable, Category = "Etrid Lightning")
	void Disconnect();

	UFUNCTION(BlueprintPure, Category = "Etrid Lightning")
	bool IsConnected() const { return Client.Valid(); }

	/** Starts the account's events after AfterEventId (-1: from now on), delivered to OnEvent. */
	UFUNCTION(BlueprintCallable, Category = "Etrid Lightning")
	bool StartEvents(int64 AfterEventId, FString& ErrorCode);

	UFUNCTION(BlueprintCallable, Category = "Etrid Lightning")
	void StopEvents();

	/** Every event of the account, on the game thread, in order. */
	UPROPERTY(BlueprintAssignable, Category = "Etrid Lightning")
	FEtridEventSignature OnEvent;

	/** `resync` (events were missed: reload what you show) and stream errors. */
	UPROPERTY(BlueprintAssignable, Category = "Etrid Lightning")
	FEtridStreamNoticeSignature OnStreamNotice;

	/** Starts Operation (an `EtridOperation`) with ArgsJson; Done runs on the game thread, unless
	 *  Owner is gone by then. Returns the request id (0: refused at once; Done still runs, with
	 *  the error, on the next frame). */
	uint64 Request(EtridOperation Operation, const FString& ArgsJson, const UObject* Owner, TFunction<void(const etrid::Result&)> Done);

	/** Cancels a request: its callback runs with `cancelled`. */
	bool Cancel(uint64 RequestId) { return Client.Cancel(RequestId); }

	// UGameInstanceSubsystem
	virtual void Deinitialize() override;

	// FTickableGameObject: the pump.
	virtual void Tick(float DeltaTime) override;
	virtual TStatId GetStatId() const override;
	virtual ETickableTickType GetTickableTickType() const override { return ETickableTickType::Conditional; }
	virtual bool IsTickable() const override { return Client.Valid(); }
	virtual bool IsTickableWhenPaused() const override { return true; }

private:
	void HandleStreamItem(const std::string& Json);

	etrid::Client Client;
};
