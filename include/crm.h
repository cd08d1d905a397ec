/* crm.h - the whole public interface of libcore. */
#ifndef CRM_H
#define CRM_H

#include "crm/audit.h"
#include "crm/buf.h"
#include "crm/config.h"
#include "crm/contact.h"
#include "crm/date.h"
#include "crm/db.h"
#include "crm/deal.h"
#include "crm/dedup.h"
#include "crm/diff.h"
#include "crm/entity.h"
#include "crm/error.h"
#include "crm/field.h"
#include "crm/import.h"
#include "crm/kb.h"
#include "crm/mapping.h"
#include "crm/merge.h"
#include "crm/money.h"
#include "crm/norm.h"
#include "crm/output.h"
#include "crm/query.h"
#include "crm/rates.h"
#include "crm/reader.h"
#include "crm/record.h"
#include "crm/recur.h"
#include "crm/simil.h"
#include "crm/task.h"

#endif
