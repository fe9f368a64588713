#ifndef ASSENT_LIBPQ_H
#define ASSENT_LIBPQ_H
/* libpq's declarations, with its functions reached through a table filled when libpq is first needed
   (dlopen), so that the assent binary runs on a machine without libpq until a PostgreSQL ledger is used. */
#include <postgresql/libpq-fe.h>

#define ASSENT_LIBPQ_FUNCTIONS(X) \
    X(PQclear) X(PQcmdTuples) X(PQconnectdb) X(PQenterPipelineMode) X(PQerrorMessage) X(PQexec) \
    X(PQexecParams) X(PQexecPrepared) X(PQexitPipelineMode) X(PQfinish) X(PQftype) X(PQgetResult) X(PQgetisnull) \
    X(PQgetlength) X(PQgetvalue) X(PQnfields) X(PQntuples) X(PQpipelineSync) X(PQprepare) \
    X(PQresultErrorField) X(PQresultStatus) X(PQsendQueryParams) X(PQsendQueryPrepared) X(PQsetClientEncoding) X(PQstatus) \
    X(PQtransactionStatus)

/* The libpq functions Assent calls. */
struct assent_libpq {
#define ASSENT_LIBPQ_FIELD(name) __typeof__(name) *name;
    ASSENT_LIBPQ_FUNCTIONS(ASSENT_LIBPQ_FIELD)
#undef ASSENT_LIBPQ_FIELD
};

/* Loads libpq (the file `library`, or libpq.so.5 when NULL) once and returns its function table, or
   NULL with the reason in `error` (at most `size` bytes) when it cannot be loaded. Thread-safe. */
const struct assent_libpq *assent_libpq_load(const char *library, char *error, unsigned long size);

#endif
