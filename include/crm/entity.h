/* entity.h - the entities: their registry of fields (field.h), writing
 * records (record.h) and selecting them (query.h). */
#ifndef CRM_ENTITY_H
#define CRM_ENTITY_H

#include "crm/field.h"
#include "crm/query.h"
#include "crm/record.h"

#endif
