// Reading the API's JSON answers into engine types, shared by the async nodes. Strings are UTF-8
// converted to FString; amounts are read exactly from their digits (EtridCore.h), never through a
// double.
#pragma once

#include "CoreMinimal.h"

#include <string>

#include "EtridCore.h"

namespace EtridJson
{
/** UTF-8 text as an FString. */
inline FString FromUtf8(const std::string& Text)
{
	const FUTF8ToTCHAR Converted(Text.data(), Text.size());
	return FString(Converted.Length(), Converted.Get());
}

/** An FString as UTF-8 text. */
inline std::string ToUtf8(const FString& Text)
{
	const FTCHARToUTF8 Converted(*Text);
	return std::string(Converted.Get(), Converted.Length());
}

/** A top-level string (or number) member; empty when missing or null. */
inline FString Field(const std::string& Json, const char* Key)
{
	std::string Value;
	return etrid::TopLevelField(Json, Key, &Value) && Value != "null" ? FromUtf8(Value) : FString();
}

/** A top-level amount or time; 0 when missing or null. Amounts are below 2^63 msat (21 million
 *  bitcoin is 2.1 * 10^18), so int64 holds every one. */
inline int64 Int(const std::string& Json, const char* Key)
{
	uint64_t Value = 0;
	return etrid::TopLevelU64(Json, Key, &Value) ? static_cast<int64>(Value) : 0;
}
}  // namespace EtridJson
