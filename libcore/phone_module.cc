/* phone.cc - phone numbers in E.164 form, read by libphonenumber.
 *
 * The one C++ file of libcore: a thin adapter that keeps libphonenumber's
 * types, exceptions and logging on this side of a C interface.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <mutex>
#include <new>
#include <string>

#include <phonenumbers/logger.h>
#include <phonenumbers/phonenumber.pb.h>
#include <phonenumbers/phonenumberutil.h>

extern "C" {
#include "crm/error.h"
#include "crm/norm.h"
}

using i18n::phonenumbers::NullLogger;
using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

namespace {

/* The shared instance with its logger pinned to a NullLogger rather than
 * left to the build's default: libcore never prints, whatever the build of
 * libphonenumber would do with a bad number. */
PhoneNumberUtil *phone_util()
{
	static std::once_flag once;
	PhoneNumberUtil *util = PhoneNumberUtil::GetInstance();

	std::call_once(once, [util] { util->SetLogger(new NullLogger()); });
	return util;
}

/* "ZZ" is libphonenumber's unknown region: only numbers that carry their
 * country code parse against it. */
std::string region_code(const char *region)
{
	std::string code(region && *region ? region : "ZZ");

	for (char &c : code)
		if (c >= 'a' && c <= 'z')
			c = static_cast<char>(c - 'a' + 'A');
	return code;
}

int e164(char **out, const char *s, const char *region)
{
	PhoneNumberUtil *util = phone_util();
	PhoneNumber number;
	std::string formatted;

	if (util->Parse(s, region_code(region), &number) !=
		    PhoneNumberUtil::NO_PARSING_ERROR ||
	    !util->IsValidNumber(number))
		return crm_error_set(CRM_EDATA, "invalid phone number '%s'", s);
	util->Format(number, PhoneNumberUtil::E164, &formatted);
	*out = strdup(formatted.c_str());
	return *out ? CRM_OK : crm_error_nomem();
}

} // namespace

int crm_phone_e164(char **out, const char *s, const char *region)
{
	*out = nullptr;
	try {
		return e164(out, s, region);
	} catch (const std::bad_alloc &) {
		return crm_error_nomem();
	} catch (...) {
		return crm_error_set(CRM_EFAIL, "cannot read phone number '%s'", s);
	}
}
