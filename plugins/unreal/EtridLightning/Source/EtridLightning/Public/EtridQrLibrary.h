// QR codes as textures: an invoice, an LNURL or a join link drawn for a UMG image or a material.
#pragma once

#include "CoreMinimal.h"
#include "Kismet/BlueprintFunctionLibrary.h"

#include "EtridQrLibrary.generated.h"

class UTexture2D;

UCLASS()
class ETRIDLIGHTNING_API UEtridQrLibrary : public UBlueprintFunctionLibrary
{
	GENERATED_BODY()

public:
	/** Text as a QR code texture: black modules on white, ModulePixels pixels each (nearest
	 *  filtering keeps them sharp), with the four-module quiet zone scanners need. Null, with
	 *  ErrorCode (`qr_data_too_long`, `qr_empty`), when it cannot be encoded. */
	UFUNCTION(BlueprintCallable, Category = "Etrid Lightning")
	static UTexture2D* MakeQrTexture(const FString& Text, int32 ModulePixels, FString& ErrorCode);
};
