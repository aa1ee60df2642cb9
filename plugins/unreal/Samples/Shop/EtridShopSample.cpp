#include "EtridShopSample.h"

#include "Components/StaticMeshComponent.h"
#include "Engine/Engine.h"
#include "Engine/GameInstance.h"
#include "Engine/Texture2D.h"
#include "Materials/MaterialInstanceDynamic.h"

#include "EtridLightningSubsystem.h"
#include "EtridQrLibrary.h"

AEtridShopSample::AEtridShopSample()
{
	Screen = CreateDefaultSubobject<UStaticMeshComponent>(TEXT("Screen"));
	RootComponent = Screen;
}

void AEtridShopSample::BeginPlay()
{
	Super::BeginPlay();
	UEtridLightningSubsystem* Lightning = GetGameInstance()->GetSubsystem<UEtridLightningSubsystem>();
	FString ErrorCode;
	bConnected = Lightning != nullptr && Lightning->Connect(LspUrl, InvoiceKey, Network, ErrorCode);
	if (!bConnected)
	{
		Say(FString::Printf(TEXT("Cannot reach the shop's LSP (%s): check LspUrl and InvoiceKey."), *ErrorCode));
		return;
	}
	ScreenMaterial = Screen->CreateAndSetMaterialInstanceDynamic(0);
	Say(FString::Printf(TEXT("%s for %lld sat: call Buy."), *ItemName, PriceMsat / 1000));
}

void AEtridShopSample::Buy()
{
	if (!bConnected || bBusy)
	{
		return;
	}
	bBusy = true;
	UEtridInvoiceAction* Create = UEtridInvoiceAction::CreateInvoice(this, PriceMsat, ItemName, 600);
	Create->OnSuccess.AddDynamic(this, &AEtridShopSample::HandleInvoice);
	Create->OnFailure.AddDynamic(this, &AEtridShopSample::HandleFailure);
	Create->Activate();
}

void AEtridShopSample::HandleInvoice(const FEtridInvoice& Invoice)
{
	FString ErrorCode;
	QrTexture = UEtridQrLibrary::MakeQrTexture(Invoice.Bolt11, 8, ErrorCode);
	if (QrTexture != nullptr && ScreenMaterial != nullptr)
	{
		ScreenMaterial->SetTextureParameterValue(TEXT("QrTexture"), QrTexture);
	}
	Say(FString::Printf(TEXT("Scan to pay %lld sat for %s."), Invoice.AmountMsat / 1000, *ItemName));
	// Waits on the LSP (long polling), not on the game thread: the game keeps running.
	UEtridInvoiceAction* Wait = UEtridInvoiceAction::WaitForPayment(this, Invoice.Id, 600000);
	Wait->OnSuccess.AddDynamic(this, &AEtridShopSample::HandleOutcome);
	Wait->OnFailure.AddDynamic(this, &AEtridShopSample::HandleFailure);
	Wait->Activate();
}

void AEtridShopSample::HandleOutcome(const FEtridInvoice& Invoice)
{
	bBusy = false;
	if (ScreenMaterial != nullptr)
	{
		ScreenMaterial->SetTextureParameterValue(TEXT("QrTexture"), nullptr);
	}
	if (Invoice.Status == TEXT("paid"))
	{
		Say(FString::Printf(TEXT("Paid: %s is yours."), *ItemName));
		OnItemPaid(Invoice);
		return;
	}
	// `expired`, `cancelled` or `timed_out`: nothing was paid; Buy makes a new invoice.
	Say(FString::Printf(TEXT("Not paid (%s): call Buy again."), *Invoice.Status));
}

void AEtridShopSample::HandleFailure(const FEtridError& Error)
{
	bBusy = false;
	Say(FString::Printf(TEXT("The shop failed: %s (%s)"), *Error.Code, *Error.Message));
}

void AEtridShopSample::Say(const FString& Text) const
{
	UE_LOG(LogTemp, Display, TEXT("EtridShopSample: %s"), *Text);
	if (GEngine != nullptr)
	{
		GEngine->AddOnScreenDebugMessage(-1, 10.f, FColor::Yellow, Text);
	}
}
