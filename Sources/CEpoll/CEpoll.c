// Everything CEpoll offers is inline in its header; SwiftPM wants one source file per C target.
#include "CEpoll.h"
