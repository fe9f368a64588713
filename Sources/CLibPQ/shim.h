#ifndef ASSENT_CLIBPQ_SHIM_H
#define ASSENT_CLIBPQ_SHIM_H
#include <libpq-fe.h>
#endif
