/* Writers for registry entries, shared by `explain` and `list`. */
#ifndef TLSA_ALERTOUT_H
#define TLSA_ALERTOUT_H

#include "cli.h"

/* The JSON fields of one registry entry, written into an open object. */
void alert_json_fields(struct jw *w, const struct tlsa_alert *a);

/* "TLS 1.0-1.2: always fatal; TLS 1.3: error alert ..." */
void alert_levels_text(FILE *f, const struct tlsa_alert *a, int col, int indent, int width);

/* The CSV header and row used by `list` and `explain --csv`. */
void alert_csv_header(FILE *f);
void alert_csv_row(FILE *f, const struct tlsa_alert *a);

#endif
