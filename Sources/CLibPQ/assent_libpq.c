#include "assent_libpq.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

static struct assent_libpq table;
static const struct assent_libpq *loaded;
static char failure[512];
static pthread_once_t once = PTHREAD_ONCE_INIT;
static const char *requested;

static void load(void) {
    const char *library = requested ? requested : "libpq.so.5";
    void *handle = dlopen(library, RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
        snprintf(failure, sizeof failure, "%s", dlerror());
        return;
    }
#define ASSENT_LIBPQ_BIND(name) \
    table.name = (__typeof__(name) *)dlsym(handle, #name); \
    if (!table.name) { \
        snprintf(failure, sizeof failure, "%s has no %s (libpq 14 or later is needed)", library, #name); \
        return; \
    }
    ASSENT_LIBPQ_FUNCTIONS(ASSENT_LIBPQ_BIND)
#undef ASSENT_LIBPQ_BIND
    loaded = &table;
}

const struct assent_libpq *assent_libpq_load(const char *library, char *error, unsigned long size) {
    requested = library;
    pthread_once(&once, load);
    if (!loaded && error && size > 0) snprintf(error, size, "%s", failure);
    return loaded;
}
