/*
 * The migration runner: applies the numbered scripts of a folder
 * (NNNN_name.sql, forward-only, never edited once released) in order,
 * each once, recording its number in schema_migrations.
 */
#ifndef IDENT_MIGRATE_H
#define IDENT_MIGRATE_H

#include <stdbool.h>
#include <stdio.h>

struct db;

/*
 * Apply every script of dir not yet recorded (check_only: apply
 * nothing, only report).  service_account is "user@host" for the GRANTs
 * of the scripts (may be NULL when check_only).  Progress goes to out.
 * Returns 0 when the schema is current afterwards, 1 when check_only
 * found scripts pending, -1 on error (reason printed to stderr).
 */
int	migrate_run(struct db *, const char *dir, const char *service_account,
	    bool check_only, FILE *out);

#endif
