/* ydoc.h - YAML files loaded as documents, for the configuration and the
 * import mapping files.
 *
 * A file is loaded whole as a libyaml document rather than consumed as
 * events, so every node keeps its position for messages ("file:line:col:")
 * and nested values can be checked after the file is known to be
 * well-formed.  Internal to libcore.
 */
#ifndef CRM_YDOC_H
#define CRM_YDOC_H

#include <yaml.h>

/* Null is a kind of its own so that "key:" with nothing after it can be
 * reported instead of silently meaning a default. */
enum crm_ykind { CRM_Y_NULL, CRM_Y_SCALAR, CRM_Y_SEQUENCE, CRM_Y_MAPPING };

struct crm_ydoc {
	const char *file; /* the name messages report */
	yaml_document_t doc;
	int loaded;
	unsigned long line0; /* lines of the file before the text parsed */
};

/* Loads the single YAML document of file path.  CRM_ENOTFOUND, recording
 * nothing, when optional and the file is absent; CRM_EIO when unreadable;
 * CRM_EUSAGE "path:line:col: problem" for bad YAML or a second document. */
int crm_ydoc_load(struct crm_ydoc *d, const char *path, int optional);

/* Loads the single YAML document of the len bytes at text, a part of file
 * that starts line0 lines into it (messages count lines from the top of
 * file); errors as for crm_ydoc_load. */
int crm_ydoc_parse(struct crm_ydoc *d, const char *file, const char *text, size_t len,
                   unsigned long line0);

/* Frees the document; safe on one that failed to load. */
void crm_ydoc_free(struct crm_ydoc *d);

/* Returns the root node, or NULL for an empty document. */
yaml_node_t *crm_ydoc_root(const struct crm_ydoc *d);

/* Returns the node with index i of the document. */
yaml_node_t *crm_ydoc_node(const struct crm_ydoc *d, int i);

/* Records CRM_EUSAGE "file:line:col: message" at mark m; returns it. */
int crm_ydoc_fail(const struct crm_ydoc *d, yaml_mark_t m, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

enum crm_ykind crm_ydoc_kind(const yaml_node_t *node);

/* Names a node's kind for messages ("null", "a sequence", "a mapping"), or
 * NULL for a scalar, whose own text describes it better. */
const char *crm_ydoc_kind_name(const yaml_node_t *node);

/* Returns a scalar's text. */
const char *crm_ydoc_text(const yaml_node_t *node);

/* Whether a scalar holds a NUL (a "\0" escape), which a C string would
 * silently cut. */
int crm_ydoc_has_nul(const yaml_node_t *node);

/* Stores in *key the key node of pair after checking that it is a plain
 * name not seen earlier in map. */
int crm_ydoc_key(const struct crm_ydoc *d, const yaml_node_t *map,
                 const yaml_node_pair_t *pair, yaml_node_t **key);

/* Stores in *out the text of a non-empty scalar without NUL, else fails
 * with "expected WHAT for 'name', found ...". */
int crm_ydoc_string(const struct crm_ydoc *d, const yaml_node_t *node, const char *name,
                    const char *what, const char **out);

#endif
