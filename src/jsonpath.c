/* File paths in JSON state files (see jsonpath.h). */
#include <stdio.h>
#include "fsutil.h"
#include "jsonpath.h"

int jsonpath_set(json_t *o, const char *field, const char *path)
{
	char shown[4200], hex[8200], name[64];

	if (fsutil_is_utf8(path))
		return json_object_set_new(o, field, json_string(path));
	if (fsutil_hex_encode(path, hex, sizeof(hex)) < 0)
		return -1;
	fsutil_display_name(path, shown, sizeof(shown));
	snprintf(name, sizeof(name), "%s_hex", field);
	if (json_object_set_new(o, field, json_string(shown)) < 0 || json_object_set_new(o, name, json_string(hex)) < 0)
		return -1;
	return 0;
}

const char *jsonpath_get(json_t *o, const char *field, char *buf, size_t buflen)
{
	char name[64];
	const char *hex;

	snprintf(name, sizeof(name), "%s_hex", field);
	hex = json_string_value(json_object_get(o, name));
	if (hex != NULL)
		return fsutil_hex_decode(hex, buf, buflen) == 0 ? buf : NULL;
	return json_string_value(json_object_get(o, field));
}
