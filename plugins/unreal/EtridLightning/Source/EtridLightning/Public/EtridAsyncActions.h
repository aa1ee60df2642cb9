// Blueprint async nodes over the subsystem: each starts one request and fires OnSuccess or
// OnFailure once, on the game thread; a node whose owner is gone fires nothing. Amounts are
// millisatoshis as int64 (read exactly from the API's JSON).
#pragma once

#include "CoreMinimal.h"
#include "Kismet/BlueprintAsyncActionBase.h"

#include "EtridCore.h"

#include "EtridAsyncActions.generated.h"

/** Why a request failed: the stable code to branch on (`lsp_rate_limited`, `invoice_expired`,
 *  `cancelled`, …) and a message for logs. */
USTRUCT(BlueprintType)
struct ETRIDLIGHTNING_API FEtridError
{
	GENERATED_BODY()

	UPROPERTY(BlueprintReadOnly, Category = "Etrid Lightning")
	FString Code;

	UPROPERTY(BlueprintReadOnly, Category = "Etrid Lightning")
	FString Message;
};

/** An invoice of the account (show Bolt11 as a QR code with UEtridQrLibrary). */
USTRUCT(BlueprintType)
struct ETRIDLIGHTNING_API FEtridInvoice
{
	GENERATED_BODY()

	UPROPERTY(BlueprintReadOnly, Category = "Etrid Lightning")
	FString Id;

	UPROPERTY(BlueprintReadOnly, Category = "Etrid Lightning")
	FString Bolt11;

	/** `open`, `accepted` (a hold invoice held), `paid`, `expired`, `cancelled`. */
	UPROPERTY(BlueprintReadOnly, Category = "Etrid Lightning")
	FString Status;

	UPROPERTY(BlueprintReadOnly, Category = "Etrid Lightning")
	int64 AmountMsat = 0;

	UPROPERTY(BlueprintReadOnly, Category = "Etrid Lightning")
	int64 ExpiresAt = 0;

	/** The whole invoice as the API's JSON. */
	UPROPERTY(BlueprintReadOnly, Category = "Etrid Lightning")
	FString Json;
};

/** A payment of the account. */
USTRUCT(BlueprintType)
struct ETRIDLIGHTNING_API FEtridPayment
{
	GENERATED_BODY()

	UPROPERTY(BlueprintReadOnly, Category = "Etrid Lightning")
	FString Id;

	/** `pending`, `succeeded`, `failed`. */
	UPROPERTY(BlueprintReadOnly, Category = "Etrid Lightning")
	FString Status;

	UPROPERTY(BlueprintReadOnly, Category = "Etrid Lightning")
	int64 AmountMsat = 0;

	UPROPERTY(BlueprintReadOnly, Category = "Etrid Lightning")
	int64 FeeMsat = 0;

	UPROPERTY(BlueprintReadOnly, Category = "Etrid Lightning")
	FString Preimage;

	UPROPERTY(BlueprintReadOnly, Category = "Etrid Lightning")
	FString Json;
};

DECLARE_DYNAMIC_MULTICAST_DELEGATE_OneParam(FEtridInvoiceResult, const FEtridInvoice&, Invoice);
DECLARE_DYNAMIC_MULTICAST_DELEGATE_OneParam(FEtridPaymentResult, const FEtridPayment&, Payment);
DECLARE_DYNAMIC_MULTICAST_DELEGATE_OneParam(FEtridJsonResult, const FString&, ResultJson);
DECLARE_DYNAMIC_MULTICAST_DELEGATE_OneParam(FEtridFailure, const FEtridError&, Error);

/** The common part: one request through the game instance's subsystem. */
UCLASS(Abstract)
class ETRIDLIGHTNING_API UEtridRequestAction : public UBlueprintAsyncActionBase
{
	GENERATED_BODY()

public:
	UPROPERTY(BlueprintAssignable)
	FEtridFailure OnFailure;

	virtual void Activate() override;

	/** What Activate() starts (set by the node's factory). */
	void Prepare(UObject* InWorldContext, EtridOperation InOperation, const FString& InArgsJson);

	/** A node of class Action that will run Operation with ArgsJson: what every factory returns. */
	template <typename Action>
	static Action* Make(UObject* WorldContextObject, EtridOperation InOperation, const FString& InArgsJson)
	{
		Action* Node = NewObject<Action>();
		Node->Prepare(WorldContextObject, InOperation, InArgsJson);
		Node->RegisterWithGameInstance(WorldContextObject);
		return Node;
	}

protected:
	/** Called once with the successful result's JSON (UTF-8). */
	virtual void Succeed(const std::string& Json) PURE_VIRTUAL(UEtridRequestAction::Succeed, );

	void Fail(const FString& Code, const FString& Message);

	EtridOperation Operation = ETRID_OPERATION_HEALTH;
	FString ArgsJson;
	TWeakObjectPtr<UObject> WorldContext;
};

/** Create an invoice, a hold invoice, or wait for an invoice's payment. */
UCLASS()
class ETRIDLIGHTNING_API UEtridInvoiceAction : public UEtridRequestAction
{
	GENERATED_BODY()

public:
	UPROPERTY(BlueprintAssignable)
	FEtridInvoiceResult OnSuccess;

	/** Creates an invoice for AmountMsat (0: any amount) that expires in ExpirySecs (0: the default). */
	UFUNCTION(BlueprintCallable, Category = "Etrid Lightning", meta = (BlueprintInternalUseOnly = "true", WorldContext = "WorldContextObject"))
	static UEtridInvoiceAction* CreateInvoice(UObject* WorldContextObject, int64 AmountMsat, const FString& Description, int32 ExpirySecs);

	/** Waits until the invoice is paid (or held, for a hold invoice), expires or is cancelled, at most
	 *  TimeoutMs; OnSuccess has the invoice with its Status (`timed_out` leaves it as it was). */
	UFUNCTION(BlueprintCallable, Category = "Etrid Lightning", meta = (BlueprintInternalUseOnly = "true", WorldContext = "WorldContextObject"))
	static UEtridInvoiceAction* WaitForPayment(UObject* WorldContextObject, const FString& InvoiceId, int32 TimeoutMs);

	/** Creates a hold invoice for PaymentHash (hex) and AmountMsat (admin key: on your server). */
	UFUNCTION(BlueprintCallable, Category = "Etrid Lightning", meta = (BlueprintInternalUseOnly = "true", WorldContext = "WorldContextObject"))
	static UEtridInvoiceAction* CreateHoldInvoice(UObject* WorldContextObject, const FString& PaymentHash, int64 AmountMsat);

protected:
	virtual void Succeed(const std::string& Json) override;

private:
	bool bWaiting = false;
};

/** Pay an invoice (admin key: on your server, or a trusted build). */
UCLASS()
class ETRIDLIGHTNING_API UEtridPaymentAction : public UEtridRequestAction
{
	GENERATED_BODY()

public:
	UPROPERTY(BlueprintAssignable)
	FEtridPaymentResult OnSuccess;

	/** Pays Bolt11 once per IdempotencyKey (the same key again answers the same payment). */
	UFUNCTION(BlueprintCallable, Category = "Etrid Lightning", meta = (BlueprintInternalUseOnly = "true", WorldContext = "WorldContextObject"))
	static UEtridPaymentAction* PayInvoice(UObject* WorldContextObject, const FString& Bolt11, const FString& IdempotencyKey);

protected:
	virtual void Succeed(const std::string& Json) override;
};

/** Any operation of the client (tournaments, streams, vouchers, …): its number (`EtridOperation`
 *  in etrid.h) and its arguments as JSON; OnSuccess has the API's answer as JSON. */
UCLASS()
class ETRIDLIGHTNING_API UEtridJsonAction : public UEtridRequestAction
{
	GENERATED_BODY()

public:
	UPROPERTY(BlueprintAssignable)
	FEtridJsonResult OnSuccess;

	UFUNCTION(BlueprintCallable, Category = "Etrid Lightning", meta = (BlueprintInternalUseOnly = "true", WorldContext = "WorldContextObject"))
	static UEtridJsonAction* RunOperation(UObject* WorldContextObject, int32 OperationNumber, const FString& ArgumentsJson);

protected:
	virtual void Succeed(const std::string& Json) override;
};
