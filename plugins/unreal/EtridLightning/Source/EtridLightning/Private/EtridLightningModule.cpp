// The module itself: nothing to start; the subsystem owns the client.
#include "Modules/ModuleManager.h"

IMPLEMENT_MODULE(FDefaultModuleImpl, EtridLightning)
