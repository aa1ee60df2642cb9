#include "EtridLightningSubsystem.h"

#include "Stats/Stats.h"

#include "EtridArgs.h"
#include "EtridJsonFields.h"

namespace
{
using EtridJson::FromUtf8;
using EtridJson::ToUtf8;

/** The configuration JSON of the C ABI (UTF-8), each value a JSON string. */
std::string ConfigJson(const FString& BaseUrl, const FString& ApiKey, const FString& Network)
{
	using etrid::args::Quote;
	return "{\"base_url\":" + Quote(ToUtf8(BaseUrl)) + ",\"api_key\":" + Quote(ToUtf8(ApiKey)) + ",\"network\":" + Quote(ToUtf8(Network)) + "}";
}
}  // namespace

bool UEtridLightningSubsystem::Connect(const FString& BaseUrl, const FString& ApiKey, const FString& Network, FString& ErrorCode)
{
	etrid::Error Error;
	etrid::Client Created = etrid::Client::Create(ConfigJson(BaseUrl, ApiKey, Network), &Error);
	if (!Created.Valid())
	{
		ErrorCode = FromUtf8(Error.code);
		UE_LOG(LogTemp, Warning, TEXT("Etrid Lightning: cannot connect (%s): %s"), *ErrorCode, *FromUtf8(Error.message));
		return false;
	}
	Client = MoveTemp(Created);
	ErrorCode.Reset();
	return true;
}

void UEtridLightningSubsystem::Disconnect()
{
	Client = etrid::Client();
}

bool UEtridLightningSubsystem::StartEvents(int64 AfterEventId, FString& ErrorCode)
{
	etrid::Error Error;
	TWeakObjectPtr<UEtridLightningSubsystem> WeakThis(this);
	const bool Started = Client.StartEvents(AfterEventId, 256, [WeakThis](const std::string& Json)
	{
		if (UEtridLightningSubsystem* Self = WeakThis.Get())
		{
			Self->HandleStreamItem(Json);
		}
	}, &Error);
	ErrorCode = Started ? FString() : FromUtf8(Error.code);
	return Started;
}

void UEtridLightningSubsystem::StopEvents()
{
	Client.StopEvents();
}

void UEtridLightningSubsystem::HandleStreamItem(const std::string& Json)
{
	std::string Kind;
	etrid::TopLevelField(Json, "kind", &Kind);
	if (Kind != "event")
	{
		OnStreamNotice.Broadcast(FromUtf8(Kind), FromUtf8(Json));
		return;
	}
	std::string Event, Type, Data;
	uint64_t Id = 0;
	if (!etrid::TopLevelValue(Json, "event", &Event) || !etrid::TopLevelField(Event, "type", &Type) ||
		!etrid::TopLevelU64(Event, "id", &Id) || !etrid::TopLevelValue(Event, "data", &Data))
	{
		OnStreamNotice.Broadcast(TEXT("error"), FromUtf8(Json));
		return;
	}
	OnEvent.Broadcast(FromUtf8(Type), static_cast<int64>(Id), FromUtf8(Data));
}

uint64 UEtridLightningSubsystem::Request(EtridOperation Operation, const FString& ArgsJson, const UObject* Owner,
	TFunction<void(const etrid::Result&)> Done)
{
	TWeakObjectPtr<const UObject> WeakOwner(Owner);
	const bool Owned = Owner != nullptr;
	return Client.Request(Operation, ToUtf8(ArgsJson), [WeakOwner, Owned, Done = MoveTemp(Done)](const etrid::Result& Result)
	{
		// The node (or widget) that asked is gone: nothing to tell.
		if (Owned && !WeakOwner.IsValid())
		{
			return;
		}
		Done(Result);
	});
}

void UEtridLightningSubsystem::Deinitialize()
{
	Disconnect();
	Super::Deinitialize();
}

void UEtridLightningSubsystem::Tick(float DeltaTime)
{
	Client.Pump();
}

TStatId UEtridLightningSubsystem::GetStatId() const
{
	RETURN_QUICK_DECLARE_CYCLE_STAT(UEtridLightningSubsystem, STATGROUP_Tickables);
}
