#include "EtridQrLibrary.h"

#include "Engine/Texture2D.h"

#include "EtridCore.h"

namespace
{
/** Light modules around the code, as the QR specification asks. */
constexpr int32 QuietZone = 4;
}  // namespace

UTexture2D* UEtridQrLibrary::MakeQrTexture(const FString& Text, int32 ModulePixels, FString& ErrorCode)
{
	const FTCHARToUTF8 Utf8(*Text);
	etrid::QrCode Code;
	etrid::Error Error;
	if (!etrid::EncodeQr(std::string(Utf8.Get(), Utf8.Length()), &Code, &Error))
	{
		ErrorCode = UTF8_TO_TCHAR(Error.code.c_str());
		return nullptr;
	}
	ErrorCode.Reset();
	const int32 Scale = FMath::Clamp(ModulePixels, 1, 64);
	const int32 Modules = static_cast<int32>(Code.width) + 2 * QuietZone;
	const int32 Size = Modules * Scale;
	UTexture2D* Texture = UTexture2D::CreateTransient(Size, Size, PF_B8G8R8A8);
	if (Texture == nullptr)
	{
		ErrorCode = TEXT("texture_failed");
		return nullptr;
	}
	Texture->Filter = TF_Nearest;
	Texture->SRGB = true;
	FTexture2DMipMap& Mip = Texture->GetPlatformData()->Mips[0];
	FColor* Pixels = static_cast<FColor*>(Mip.BulkData.Lock(LOCK_READ_WRITE));
	for (int32 Y = 0; Y < Size; ++Y)
	{
		const int32 ModuleY = Y / Scale - QuietZone;
		for (int32 X = 0; X < Size; ++X)
		{
			const int32 ModuleX = X / Scale - QuietZone;
			const bool bInside = ModuleX >= 0 && ModuleY >= 0 && ModuleX < static_cast<int32>(Code.width) && ModuleY < static_cast<int32>(Code.width);
			const bool bDark = bInside && Code.modules[static_cast<size_t>(ModuleY) * Code.width + ModuleX] != 0;
			Pixels[Y * Size + X] = bDark ? FColor::Black : FColor::White;
		}
	}
	Mip.BulkData.Unlock();
	Texture->UpdateResource();
	return Texture;
}
