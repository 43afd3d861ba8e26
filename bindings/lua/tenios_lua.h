/* What the files of the tenios Lua module share. The module keeps no state of its own outside
 * the Lua state it is loaded into: metatables live in that state's registry, and everything
 * else in userdata. */
#ifndef TENIOS_LUA_H
#define TENIOS_LUA_H

#include <stdbool.h>
#include <stdint.h>

#include "compat.h"
#include "tenios.h"

#define TL_CLIENT_MT "tenios.client"
#define TL_ERROR_MT "tenios.error"
#define TL_REQUEST_MT "tenios.webhook_request"
#define TL_BLOCKS_MT "tenios.blocks"

/* C resources a function holds while it builds its Lua results: a userdata whose __gc frees
 * them, so that a Lua error (out of memory, say) while the results are built leaks nothing.
 * The function frees them itself (tl_pending_release) once it is done. */
typedef struct tl_pending {
    tenios_error *err;
    char *string;
} tl_pending;

tl_pending *tl_pending_new(lua_State *L);
void tl_pending_release(tl_pending *pending);

/* Pushes `nil, err` for a failed libtenios call (its error object, or `status` and `message`
 * when there is none) and returns 2. Frees nothing. */
int tl_push_failure(lua_State *L, uint32_t status, const tenios_error *err, const char *message);

/* Pushes `nil, err` with status TENIOS_ERR_INVALID_ARGUMENT and `message` (the module's own
 * checks, such as a NUL byte inside a string). */
int tl_push_invalid(lua_State *L, const char *message);

/* Pushes a table of a tenios_call_timings (fields in microseconds, as in C). */
void tl_push_timings(lua_State *L, const tenios_call_timings *timings);

/* Argument checks. A wrong type raises (luaL_argerror); a string with a NUL byte inside is
 * remembered in `*nul_arg` (its name, the first one only) for the caller to report as
 * `nil, err` once every type is checked. */
const char *tl_check_string(lua_State *L, int index, const char *name, const char **nul_arg);
const char *tl_opt_string(lua_State *L, int index, const char *name, const char **nul_arg);
uint32_t tl_check_uint32(lua_State *L, int index, const char *name);
int32_t tl_check_int32(lua_State *L, int index, const char *name);
bool tl_opt_boolean(lua_State *L, int index, bool default_value);

/* The same for a field of the options table at `table`. Each marks the field as known. */
const char *tl_field_string(lua_State *L, int table, const char *field, bool required,
                            const char **nul_arg);
bool tl_field_uint32(lua_State *L, int table, const char *field, bool required, uint32_t *out);
bool tl_field_boolean(lua_State *L, int table, const char *field, bool default_value);
/* Raises when the table at `table` has a field not in `known` (NULL-terminated): a typo in
 * an option name is a mistake in the program, not a runtime failure. */
void tl_check_fields(lua_State *L, int table, const char *what, const char *const known[]);

/* The parts of the module, each adding its functions to the module table on top of the stack
 * and registering its metatables. */
void tl_open_errors(lua_State *L);
void tl_open_client(lua_State *L);
void tl_open_webhook(lua_State *L);

#endif /* TENIOS_LUA_H */
