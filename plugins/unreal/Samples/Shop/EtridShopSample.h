// Sample: a shop counter. Press Buy (or call Buy from a Blueprint): an invoice for the item is
// created through the Étrid LSP, its QR code is put on the counter's screen, and when the player's
// wallet pays it OnItemPaid fires and the item is granted, once. Copy this file and its .cpp into
// your game module's Source (the class is not exported; add your module's API macro to use it from another module),
// place the actor in any level, and set the LSP URL and an invoice-scoped key on it.
#pragma once

#include "CoreMinimal.h"
#include "GameFramework/Actor.h"

#include "EtridAsyncActions.h"

#include "EtridShopSample.generated.h"

class UMaterialInstanceDynamic;
class UStaticMeshComponent;
class UTexture2D;

UCLASS()
class AEtridShopSample : public AActor
{
	GENERATED_BODY()

public:
	AEtridShopSample();

	/** The Étrid LSP's base URL. */
	UPROPERTY(EditAnywhere, Category = "Etrid Shop")
	FString LspUrl = TEXT("http://127.0.0.1:8080");

	/** An invoice-scoped key: it can create invoices and read them, never spend. */
	UPROPERTY(EditAnywhere, Category = "Etrid Shop")
	FString InvoiceKey;

	/** `bitcoin`, `testnet`, `signet` or `regtest` (the devnet). */
	UPROPERTY(EditAnywhere, Category = "Etrid Shop")
	FString Network = TEXT("regtest");

	UPROPERTY(EditAnywhere, Category = "Etrid Shop")
	FString ItemName = TEXT("Golden Sword");

	/** The price in millisatoshis (1 sat = 1000 msat). */
	UPROPERTY(EditAnywhere, Category = "Etrid Shop")
	int64 PriceMsat = 21000000;

	/** The counter's screen: its material's texture parameter `QrTexture` shows the invoice. */
	UPROPERTY(VisibleAnywhere, Category = "Etrid Shop")
	UStaticMeshComponent* Screen;

	/** Creates the item's invoice and shows it; a second call while one is open does nothing. */
	UFUNCTION(BlueprintCallable, Category = "Etrid Shop")
	void Buy();

	/** The invoice was paid: grant the item here (fires once per invoice). */
	UFUNCTION(BlueprintImplementableEvent, Category = "Etrid Shop")
	void OnItemPaid(const FEtridInvoice& Invoice);

protected:
	virtual void BeginPlay() override;

private:
	UFUNCTION()
	void HandleInvoice(const FEtridInvoice& Invoice);

	UFUNCTION()
	void HandleOutcome(const FEtridInvoice& Invoice);

	UFUNCTION()
	void HandleFailure(const FEtridError& Error);

	void Say(const FString& Text) const;

	UPROPERTY()
	UMaterialInstanceDynamic* ScreenMaterial = nullptr;

	UPROPERTY()
	UTexture2D* QrTexture = nullptr;

	bool bConnected = false;
	bool bBusy = false;
};
