/* capacity.c: consumed capacity units as DynamoDB reports them (ReturnConsumedCapacity): TableName and
 * CapacityUnits, plus per-index units for INDEXES (real replies carry no Read/WriteCapacityUnits here). */
#include "ddb/ddb_internal.h"

#include <math.h>
#include <string.h>

/* One read unit is a strongly consistent read of up to 4 KB; an eventually consistent one is half. */
double ddb_read_units(size_t bytes, bool consistent)
{
    double units = ceil((double)bytes / 4096.0);
    return consistent ? units : units / 2;
}

/* One write unit per 1 KB written, at least one. */
double ddb_write_units(size_t bytes)
{
    double units = ceil((double)bytes / 1024.0);
    return units < 1 ? 1 : units;
}

json_t *ddb_consumed(const struct ddb_table *t, const char *mode, double table_units,
                     const double *idx_units, bool read)
{
    if (!mode || strcmp(mode, "NONE") == 0)
        return NULL;
    double total = table_units;
    if (idx_units) {
        for (size_t i = 0; i < t->n_indexes; i++)
            total += idx_units[i];
    }
    json_t *c = json_object();
    json_object_set_new(c, "TableName", json_string(t->name));
    json_object_set_new(c, "CapacityUnits", json_real(total));
    if (strcmp(mode, "INDEXES") == 0) {
        json_t *tbl = json_object();
        json_object_set_new(tbl, "CapacityUnits", json_real(table_units));
        json_object_set_new(c, "Table", tbl);
        json_t *gsi = NULL, *lsi = NULL;
        for (size_t i = 0; idx_units && i < t->n_indexes; i++) {
            if (idx_units[i] <= 0)
                continue;
            json_t **dst = t->indexes[i].global ? &gsi : &lsi;
            if (!*dst)
                *dst = json_object();
            json_t *u = json_object();
            json_object_set_new(u, "CapacityUnits", json_real(idx_units[i]));
            json_object_set_new(*dst, t->indexes[i].name, u);
        }
        if (lsi)
            json_object_set_new(c, "LocalSecondaryIndexes", lsi);
        if (gsi)
            json_object_set_new(c, "GlobalSecondaryIndexes", gsi);
    }
    return c;
}
