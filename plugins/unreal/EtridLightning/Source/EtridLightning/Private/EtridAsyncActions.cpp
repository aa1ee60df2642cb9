#include "EtridAsyncActions.h"

#include "Engine/GameInstance.h"
#include "Engine/World.h"

#include "EtridArgs.h"
#include "EtridJsonFields.h"
#include "EtridLightningSubsystem.h"

namespace
{
using EtridJson::Field;
using EtridJson::FromUtf8;

int64 Msat(const std::string& Json, const char* Key) { return EtridJson::Int(Json, Key); }

FString Quote(const FString& Text)
{
	return FromUtf8(etrid::args::Quote(EtridJson::ToUtf8(Text)));
}

FEtridInvoice InvoiceOf(const std::string& Json)
{
	FEtridInvoice Invoice;
	Invoice.Id = Field(Json, "id");
	Invoice.Bolt11 = Field(Json, "bolt11");
	Invoice.Status = Field(Json, "status");
	Invoice.AmountMsat = Msat(Json, "amount_msat");
	Invoice.ExpiresAt = Msat(Json, "expires_at");
	Invoice.Json = FromUtf8(Json);
	return Invoice;
}

UEtridLightningSubsystem* SubsystemOf(UObject* WorldContext)
{
	UWorld* World = WorldContext ? WorldContext->GetWorld() : nullptr;
	UGameInstance* GameInstance = World ? World->GetGameInstance() : nullptr;
	return GameInstance ? GameInstance->GetSubsystem<UEtridLightningSubsystem>() : nullptr;
}

}  // namespace

void UEtridRequestAction::Prepare(UObject* InWorldContext, EtridOperation InOperation, const FString& InArgsJson)
{
	WorldContext = InWorldContext;
	Operation = InOperation;
	ArgsJson = InArgsJson;
}

void UEtridRequestAction::Activate()
{
	UEtridLightningSubsystem* Subsystem = SubsystemOf(WorldContext.Get());
	if (Subsystem == nullptr || !Subsystem->IsConnected())
	{
		Fail(TEXT("not_connected"), TEXT("call Connect on the Etrid Lightning subsystem first"));
		return;
	}
	TWeakObjectPtr<UEtridRequestAction> WeakThis(this);
	Subsystem->Request(Operation, ArgsJson, this, [WeakThis](const etrid::Result& Result)
	{
		UEtridRequestAction* Self = WeakThis.Get();
		if (Self == nullptr)
		{
			return;
		}
		if (!Result.ok)
		{
			std::string Message;
			etrid::TopLevelField(Result.json, "message", &Message);
			Self->Fail(FromUtf8(Result.error_code), FromUtf8(Message));
			return;
		}
		Self->Succeed(Result.json);
		Self->SetReadyToDestroy();
	});
}

void UEtridRequestAction::Fail(const FString& Code, const FString& Message)
{
	FEtridError Error;
	Error.Code = Code;
	Error.Message = Message;
	OnFailure.Broadcast(Error);
	SetReadyToDestroy();
}

UEtridInvoiceAction* UEtridInvoiceAction::CreateInvoice(UObject* WorldContextObject, int64 AmountMsat, const FString& Description, int32 ExpirySecs)
{
	FString Args = FString::Printf(TEXT("{\"description\":%s"), *Quote(Description));
	if (AmountMsat > 0)
	{
		Args += FString::Printf(TEXT(",\"amount_msat\":%lld"), AmountMsat);
	}
	if (ExpirySecs > 0)
	{
		Args += FString::Printf(TEXT(",\"expiry_secs\":%d"), ExpirySecs);
	}
	return UEtridRequestAction::Make<UEtridInvoiceAction>(WorldContextObject, ETRID_OPERATION_CREATE_INVOICE, Args + TEXT("}"));
}

UEtridInvoiceAction* UEtridInvoiceAction::WaitForPayment(UObject* WorldContextObject, const FString& InvoiceId, int32 TimeoutMs)
{
	UEtridInvoiceAction* Node = UEtridRequestAction::Make<UEtridInvoiceAction>(WorldContextObject, ETRID_OPERATION_WAIT_FOR_PAYMENT,
		FString::Printf(TEXT("{\"invoice_id\":%s,\"timeout_ms\":%d}"), *Quote(InvoiceId), FMath::Max(TimeoutMs, 0)));
	Node->bWaiting = true;
	return Node;
}

UEtridInvoiceAction* UEtridInvoiceAction::CreateHoldInvoice(UObject* WorldContextObject, const FString& PaymentHash, int64 AmountMsat)
{
	return UEtridRequestAction::Make<UEtridInvoiceAction>(WorldContextObject, ETRID_OPERATION_CREATE_HOLD_INVOICE,
		FString::Printf(TEXT("{\"payment_hash\":%s,\"amount_msat\":%lld}"), *Quote(PaymentHash), AmountMsat));
}

void UEtridInvoiceAction::Succeed(const std::string& Json)
{
	if (!bWaiting)
	{
		OnSuccess.Broadcast(InvoiceOf(Json));
		return;
	}
	// {"status", "invoice": … | null}: the invoice as it stands, with the wait's outcome.
	std::string Invoice;
	FEtridInvoice Result = etrid::TopLevelValue(Json, "invoice", &Invoice) && Invoice != "null" ? InvoiceOf(Invoice) : FEtridInvoice();
	Result.Status = Field(Json, "status");
	OnSuccess.Broadcast(Result);
}

UEtridPaymentAction* UEtridPaymentAction::PayInvoice(UObject* WorldContextObject, const FString& Bolt11, const FString& IdempotencyKey)
{
	return UEtridRequestAction::Make<UEtridPaymentAction>(WorldContextObject, ETRID_OPERATION_PAY_INVOICE,
		FString::Printf(TEXT("{\"bolt11\":%s,\"idempotency_key\":%s}"), *Quote(Bolt11), *Quote(IdempotencyKey)));
}

void UEtridPaymentAction::Succeed(const std::string& Json)
{
	FEtridPayment Payment;
	Payment.Id = Field(Json, "id");
	Payment.Status = Field(Json, "status");
	Payment.AmountMsat = Msat(Json, "amount_msat");
	Payment.FeeMsat = Msat(Json, "fee_msat");
	Payment.Preimage = Field(Json, "preimage");
	Payment.Json = FromUtf8(Json);
	OnSuccess.Broadcast(Payment);
}

UEtridJsonAction* UEtridJsonAction::RunOperation(UObject* WorldContextObject, int32 OperationNumber, const FString& ArgumentsJson)
{
	return UEtridRequestAction::Make<UEtridJsonAction>(WorldContextObject, static_cast<EtridOperation>(OperationNumber), ArgumentsJson);
}

void UEtridJsonAction::Succeed(const std::string& Json)
{
	OnSuccess.Broadcast(FromUtf8(Json));
}
