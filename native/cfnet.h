/* jextract input: everything the CF backend calls. Regenerate with `make bindings`. */
#include <CoreFoundation/CoreFoundation.h>
#include <CFNetwork/CFHost.h>
