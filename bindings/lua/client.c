/* tenios.client(access_key, options): a libtenios client as a Lua userdata, its live-call
 * and contact-center methods and the generic call, and its log callback into a Lua
 * function.
 *
 * Log lines reach Lua only on the thread, and through the Lua state, of the call that made
 * them: libtenios calls a log callback on the calling thread before the call returns, and
 * while a method of this module is inside the library, the client's log sink holds the
 * calling lua_State and thread. A line arriving at any other moment or on any other thread
 * (which libtenios does not do) is dropped rather than touching a Lua state that is not
 * running. The Lua function runs in protected mode: its errors cannot unwind through the
 * library, and are discarded. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "tenios_lua.h"

/* What the C client's log callback points at; on the heap because the C client keeps the
 * pointer, and freed after the C client. */
typedef struct log_sink {
    lua_State *L; /* the state whose call is inside the library now; NULL outside calls */
    pthread_t thread;
    int function_ref; /* the Lua log function, in the registry */
} log_sink;

typedef struct tl_client {
    tenios_client *handle; /* NULL once freed */
    log_sink *sink;        /* NULL without a log function */
    int active;            /* calls of this client inside the library now (nested via log) */
    bool closed;
    bool has_timings;
    tenios_call_timings timings; /* of the last call made through this userdata */
} tl_client;

/* The state and thread of the call a nested call interrupted, restored when it returns. */
typedef struct call_scope {
    lua_State *L;
    pthread_t thread;
} call_scope;

typedef struct log_line {
    log_sink *sink;
    uint32_t level;
    const char *message;
} log_line;

static int deliver_line(lua_State *L) {
    const log_line *line = (const log_line *)lua_touserdata(L, 1);
    lua_rawgeti(L, LUA_REGISTRYINDEX, line->sink->function_ref);
    lua_pushinteger(L, (lua_Integer)line->level);
    lua_pushstring(L, line->message);
    lua_call(L, 2, 0);
    return 0;
}

static void on_log(void *user_data, uint32_t level, const char *message) {
    log_sink *sink = (log_sink *)user_data;
    if (sink == NULL || sink->L == NULL || !pthread_equal(sink->thread, pthread_self())) {
        return;
    }
    log_line line = {sink, level, message};
    (void)tl_protected_call(sink->L, deliver_line, &line);
}

/* Frees the C client and then the sink it pointed at. */
static void free_handle(lua_State *L, tl_client *client) {
    if (client->handle != NULL) {
        tenios_client_free(client->handle);
        client->handle = NULL;
    }
    if (client->sink != NULL) {
        luaL_unref(L, LUA_REGISTRYINDEX, client->sink->function_ref);
        free(client->sink);
        client->sink = NULL;
    }
}

static void enter(lua_State *L, tl_client *client, call_scope *saved) {
    client->active++;
    if (client->sink != NULL) {
        saved->L = client->sink->L;
        saved->thread = client->sink->thread;
        client->sink->L = L;
        client->sink->thread = pthread_self();
    }
}

static void leave(lua_State *L, tl_client *client, const call_scope *saved) {
    memset(&client->timings, 0, sizeof client->timings);
    client->timings.struct_size = sizeof client->timings;
    client->has_timings = tenios_last_call_timings(&client->timings) == TENIOS_OK;
    if (client->sink != NULL) {
        client->sink->L = saved->L;
        client->sink->thread = saved->thread;
    }
    client->active--;
    /* Closed by the log function during this call: freed now that no call is inside. */
    if (client->closed && client->active == 0) {
        free_handle(L, client);
    }
}

static tl_client *check_client(lua_State *L) {
    return (tl_client *)luaL_checkudata(L, 1, TL_CLIENT_MT);
}

/* Pushes `nil, err` (status TENIOS_ERR_SHUTDOWN) for a closed client and returns true. */
static bool refuse_closed(lua_State *L, const tl_client *client) {
    if (!client->closed && client->handle != NULL) {
        return false;
    }
    tl_push_failure(L, TENIOS_ERR_SHUTDOWN, NULL, "client is closed");
    return true;
}

static int nul_failure(lua_State *L, const char *nul_arg) {
    return tl_push_invalid(L, lua_pushfstring(L, "%s contains a NUL byte", nul_arg));
}

/* Pushes the result of a call: `true` (or the string in pending) or `nil, err`. */
static int finish(lua_State *L, uint32_t status, tl_pending *pending) {
    int results;
    if (status == TENIOS_OK) {
        if (pending->string != NULL) {
            lua_pushstring(L, pending->string);
        } else {
            lua_pushboolean(L, 1);
        }
        results = 1;
    } else {
        results = tl_push_failure(L, status, pending->err, NULL);
    }
    tl_pending_release(pending);
    return results;
}

/* ------------------------------------------------------------------ building a client */

static const char *const client_options[] = {
    "base_url", "connect_timeout_ms", "timeout_ms", "ca_file", "system_trust_store", "proxy",
    "proxy_from_env", "user_agent", "idle_timeout_ms", "log", "log_level", NULL};

typedef struct client_settings {
    const char *base_url, *ca_file, *proxy, *user_agent;
    uint32_t connect_timeout_ms, timeout_ms, idle_timeout_ms, log_level;
    bool has_connect_timeout, has_timeout, has_idle_timeout;
    bool system_trust_store, proxy_from_env;
} client_settings;

/* Applies the settings to a builder; stops at the first rejected one. */
static uint32_t configure(tenios_client_builder *builder, const client_settings *s,
                          log_sink *sink, tenios_error **err) {
    uint32_t status = TENIOS_OK;
#define TL_SET(call)                  \
    if (status == TENIOS_OK) {        \
        status = (call);              \
    }
    if (s->base_url != NULL) TL_SET(tenios_client_builder_set_base_url(builder, s->base_url, err));
    if (s->has_connect_timeout)
        TL_SET(tenios_client_builder_set_connect_timeout_ms(builder, s->connect_timeout_ms, err));
    if (s->has_timeout) TL_SET(tenios_client_builder_set_timeout_ms(builder, s->timeout_ms, err));
    if (s->ca_file != NULL) TL_SET(tenios_client_builder_set_ca_file(builder, s->ca_file, err));
    TL_SET(tenios_client_builder_set_system_trust_store(builder, s->system_trust_store, err));
    if (s->proxy != NULL) TL_SET(tenios_client_builder_set_proxy(builder, s->proxy, err));
    TL_SET(tenios_client_builder_set_proxy_from_env(builder, s->proxy_from_env, err));
    if (s->user_agent != NULL)
        TL_SET(tenios_client_builder_set_user_agent_product(builder, s->user_agent, err));
    if (s->has_idle_timeout)
        TL_SET(tenios_client_builder_set_idle_timeout_ms(builder, s->idle_timeout_ms, err));
    if (sink != NULL)
        TL_SET(tenios_client_builder_set_log_callback(builder, on_log, sink, s->log_level, err));
#undef TL_SET
    return status;
}

/* tenios.client(access_key [, options]) -> client | nil, err */
static int client_new(lua_State *L) {
    const char *nul_arg = NULL;
    const char *key = tl_check_string(L, 1, "access_key", &nul_arg);
    client_settings s;
    memset(&s, 0, sizeof s);
    s.log_level = TENIOS_LOG_INFO;
    bool has_log = false;
    if (!lua_isnoneornil(L, 2)) {
        luaL_checktype(L, 2, LUA_TTABLE);
        tl_check_fields(L, 2, "tenios.client", client_options);
        s.base_url = tl_field_string(L, 2, "base_url", false, &nul_arg);
        s.has_connect_timeout =
            tl_field_uint32(L, 2, "connect_timeout_ms", false, &s.connect_timeout_ms);
        s.has_timeout = tl_field_uint32(L, 2, "timeout_ms", false, &s.timeout_ms);
        s.ca_file = tl_field_string(L, 2, "ca_file", false, &nul_arg);
        s.system_trust_store = tl_field_boolean(L, 2, "system_trust_store", false);
        s.proxy = tl_field_string(L, 2, "proxy", false, &nul_arg);
        s.proxy_from_env = tl_field_boolean(L, 2, "proxy_from_env", false);
        s.user_agent = tl_field_string(L, 2, "user_agent", false, &nul_arg);
        s.has_idle_timeout = tl_field_uint32(L, 2, "idle_timeout_ms", false, &s.idle_timeout_ms);
        tl_field_uint32(L, 2, "log_level", false, &s.log_level);
        lua_getfield(L, 2, "log");
        if (!lua_isnil(L, -1)) {
            luaL_argcheck(L, lua_isfunction(L, -1), 2, "option log must be a function");
            has_log = true;
        }
        lua_pop(L, 1);
    }
    if (nul_arg != NULL) {
        return nul_failure(L, nul_arg);
    }
    tl_client *client = (tl_client *)lua_newuserdata(L, sizeof *client);
    memset(client, 0, sizeof *client);
    client->closed = true; /* until built */
    luaL_getmetatable(L, TL_CLIENT_MT);
    lua_setmetatable(L, -2);
    int client_index = lua_gettop(L);
    if (has_log) {
        client->sink = (log_sink *)malloc(sizeof *client->sink);
        if (client->sink == NULL) {
            return luaL_error(L, "out of memory");
        }
        client->sink->L = NULL;
        client->sink->function_ref = LUA_NOREF;
        lua_getfield(L, 2, "log");
        client->sink->function_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    }
    tl_pending *pending = tl_pending_new(L);
    tenios_client_builder *builder = tenios_client_builder_new();
    if (builder == NULL) {
        return tl_push_failure(L, TENIOS_ERR_INTERNAL, NULL, "tenios_client_builder_new failed");
    }
    uint32_t status = configure(builder, &s, client->sink, &pending->err);
    if (status == TENIOS_OK) {
        status = tenios_client_build(builder, key, &client->handle, &pending->err);
    }
    tenios_client_builder_free(builder);
    if (status != TENIOS_OK) {
        return finish(L, status, pending); /* the userdata's __gc frees the sink */
    }
    client->closed = false;
    lua_pushvalue(L, client_index);
    return 1;
}

/* ------------------------------------------------------------------ live-call methods */

/* client:interrupt_block(call_uuid) -> true | nil, err */
static int client_interrupt_block(lua_State *L) {
    tl_client *client = check_client(L);
    const char *nul_arg = NULL;
    const char *call_uuid = tl_check_string(L, 2, "call_uuid", &nul_arg);
    if (refuse_closed(L, client)) return 2;
    if (nul_arg != NULL) return nul_failure(L, nul_arg);
    tl_pending *pending = tl_pending_new(L);
    call_scope scope;
    enter(L, client, &scope);
    uint32_t status = tenios_client_interrupt_block(client->handle, call_uuid, &pending->err);
    leave(L, client, &scope);
    return finish(L, status, pending);
}

/* "EXTERNALNUMBER", "SIP_USER", "SIP_TRUNK" or a tenios.DESTINATION_* number; 0 for an
 * unknown name. */
static uint32_t check_destination_type(lua_State *L, int index) {
    if (lua_type(L, index) == LUA_TNUMBER) {
        return tl_check_uint32(L, index, "destination_type");
    }
    const char *nul_arg = NULL;
    const char *name = tl_check_string(L, index, "destination_type", &nul_arg);
    for (uint32_t type = 1; type < 16; type++) {
        const char *known = tenios_destination_type_str(type);
        if (known != NULL && strcmp(known, name) == 0) {
            return type;
        }
    }
    return 0;
}

/* client:transfer_call(call_uuid, destination_type, destination) -> true | nil, err */
static int client_transfer_call(lua_State *L) {
    tl_client *client = check_client(L);
    const char *nul_arg = NULL;
    const char *call_uuid = tl_check_string(L, 2, "call_uuid", &nul_arg);
    uint32_t type = check_destination_type(L, 3);
    const char *destination = tl_check_string(L, 4, "destination", &nul_arg);
    if (refuse_closed(L, client)) return 2;
    if (nul_arg != NULL) return nul_failure(L, nul_arg);
    if (type == 0) {
        return tl_push_invalid(L, "destination_type must be EXTERNALNUMBER, SIP_USER or SIP_TRUNK");
    }
    tl_pending *pending = tl_pending_new(L);
    call_scope scope;
    enter(L, client, &scope);
    uint32_t status = tenios_client_transfer_call(client->handle, call_uuid, type, destination,
                                                  &pending->err);
    leave(L, client, &scope);
    return finish(L, status, pending);
}

/* client:refer_call(call_uuid, sip_uri) -> true | nil, err */
static int client_refer_call(lua_State *L) {
    tl_client *client = check_client(L);
    const char *nul_arg = NULL;
    const char *call_uuid = tl_check_string(L, 2, "call_uuid", &nul_arg);
    const char *sip_uri = tl_check_string(L, 3, "sip_uri", &nul_arg);
    if (refuse_closed(L, client)) return 2;
    if (nul_arg != NULL) return nul_failure(L, nul_arg);
    tl_pending *pending = tl_pending_new(L);
    call_scope scope;
    enter(L, client, &scope);
    uint32_t status = tenios_client_refer_call(client->handle, call_uuid, sip_uri, &pending->err);
    leave(L, client, &scope);
    return finish(L, status, pending);
}

/* client:record_start(call_uuid [, record_caller [, record_callee]]) -> recording_uuid |
 * nil, err (both channels unless told otherwise, like the API) */
static int client_record_start(lua_State *L) {
    tl_client *client = check_client(L);
    const char *nul_arg = NULL;
    const char *call_uuid = tl_check_string(L, 2, "call_uuid", &nul_arg);
    bool record_caller = tl_opt_boolean(L, 3, true);
    bool record_callee = tl_opt_boolean(L, 4, true);
    if (refuse_closed(L, client)) return 2;
    if (nul_arg != NULL) return nul_failure(L, nul_arg);
    tl_pending *pending = tl_pending_new(L);
    call_scope scope;
    enter(L, client, &scope);
    uint32_t status = tenios_client_record_start(client->handle, call_uuid, record_caller,
                                                 record_callee, &pending->string, &pending->err);
    leave(L, client, &scope);
    return finish(L, status, pending);
}

/* client:record_stop(call_uuid, recording_uuid) -> true | nil, err */
static int client_record_stop(lua_State *L) {
    tl_client *client = check_client(L);
    const char *nul_arg = NULL;
    const char *call_uuid = tl_check_string(L, 2, "call_uuid", &nul_arg);
    const char *recording_uuid = tl_check_string(L, 3, "recording_uuid", &nul_arg);
    if (refuse_closed(L, client)) return 2;
    if (nul_arg != NULL) return nul_failure(L, nul_arg);
    tl_pending *pending = tl_pending_new(L);
    call_scope scope;
    enter(L, client, &scope);
    uint32_t status =
        tenios_client_record_stop(client->handle, call_uuid, recording_uuid, &pending->err);
    leave(L, client, &scope);
    return finish(L, status, pending);
}

/* client:listen_in_start(call_uuid, supervisor_key, supervisor_destination [, whisper])
 * -> true | nil, err */
static int client_listen_in_start(lua_State *L) {
    tl_client *client = check_client(L);
    const char *nul_arg = NULL;
    const char *call_uuid = tl_check_string(L, 2, "call_uuid", &nul_arg);
    const char *supervisor_key = tl_check_string(L, 3, "supervisor_key", &nul_arg);
    const char *destination = tl_check_string(L, 4, "supervisor_destination", &nul_arg);
    bool whisper = tl_opt_boolean(L, 5, false);
    if (refuse_closed(L, client)) return 2;
    if (nul_arg != NULL) return nul_failure(L, nul_arg);
    tl_pending *pending = tl_pending_new(L);
    call_scope scope;
    enter(L, client, &scope);
    uint32_t status = tenios_client_listen_in_start(client->handle, call_uuid, supervisor_key, destination,
                                      whisper, &pending->err);
    leave(L, client, &scope);
    return finish(L, status, pending);
}

/* ------------------------------------------------------------------ contact-center methods */

/* The options table of a method's optional API fields, at `index` (none or nil: no field
 * sent). Each known name is read with tl_field_string into `out` (NULL when absent); an
 * unknown name or a value that is not a string raises. */
static void check_optional_fields(lua_State *L, int index, const char *what,
                                  const char *const names[], const char *out[],
                                  const char **nul_arg) {
    for (size_t i = 0; names[i] != NULL; i++) {
        out[i] = NULL;
    }
    if (lua_isnoneornil(L, index)) {
        return;
    }
    luaL_checktype(L, index, LUA_TTABLE);
    tl_check_fields(L, index, what, names);
    for (size_t i = 0; names[i] != NULL; i++) {
        out[i] = tl_field_string(L, index, names[i], false, nul_arg);
    }
}

/* client:makecall_init(destination_number, tenios_number [, {caller_id = ...,
 * callstate_info_url = ...}]) -> id | nil, err */
static int client_makecall_init(lua_State *L) {
    static const char *const optional[] = {"caller_id", "callstate_info_url", NULL};
    tl_client *client = check_client(L);
    const char *nul_arg = NULL;
    const char *destination_number = tl_check_string(L, 2, "destination_number", &nul_arg);
    const char *tenios_number = tl_check_string(L, 3, "tenios_number", &nul_arg);
    const char *fields[2];
    check_optional_fields(L, 4, "makecall_init", optional, fields, &nul_arg);
    if (refuse_closed(L, client)) return 2;
    if (nul_arg != NULL) return nul_failure(L, nul_arg);
    tl_pending *pending = tl_pending_new(L);
    call_scope scope;
    enter(L, client, &scope);
    uint32_t status =
        tenios_client_makecall_init(client->handle, destination_number, tenios_number, fields[0],
                                    fields[1], &pending->string, &pending->err);
    leave(L, client, &scope);
    return finish(L, status, pending);
}

/* A method with one string argument that answers a string: `name` names the argument in
 * messages, `call` is the C function. */
typedef uint32_t (*string_to_string_fn)(const tenios_client *, const char *, char **,
                                        tenios_error **);

static int string_to_string(lua_State *L, const char *name, string_to_string_fn call) {
    tl_client *client = check_client(L);
    const char *nul_arg = NULL;
    const char *arg = tl_check_string(L, 2, name, &nul_arg);
    if (refuse_closed(L, client)) return 2;
    if (nul_arg != NULL) return nul_failure(L, nul_arg);
    tl_pending *pending = tl_pending_new(L);
    call_scope scope;
    enter(L, client, &scope);
    uint32_t status = call(client->handle, arg, &pending->string, &pending->err);
    leave(L, client, &scope);
    return finish(L, status, pending);
}

/* client:makecall_status(id) -> status | nil, err */
static int client_makecall_status(lua_State *L) {
    return string_to_string(L, "id", tenios_client_makecall_status);
}

/* client:callback_init(callback_config_id, callback_number, delay_s [,
 * {agent_announcement = ..., dtmf_key = ...}]) -> id | nil, err */
static int client_callback_init(lua_State *L) {
    static const char *const optional[] = {"agent_announcement", "dtmf_key", NULL};
    tl_client *client = check_client(L);
    const char *nul_arg = NULL;
    const char *config_id = tl_check_string(L, 2, "callback_config_id", &nul_arg);
    const char *callback_number = tl_check_string(L, 3, "callback_number", &nul_arg);
    uint32_t delay_s = tl_check_uint32(L, 4, "delay_s");
    const char *fields[2];
    check_optional_fields(L, 5, "callback_init", optional, fields, &nul_arg);
    if (refuse_closed(L, client)) return 2;
    if (nul_arg != NULL) return nul_failure(L, nul_arg);
    tl_pending *pending = tl_pending_new(L);
    call_scope scope;
    enter(L, client, &scope);
    uint32_t status =
        tenios_client_callback_init(client->handle, config_id, callback_number, delay_s,
                                    fields[0], fields[1], &pending->string, &pending->err);
    leave(L, client, &scope);
    return finish(L, status, pending);
}

/* client:callback_status(id) -> status | nil, err */
static int client_callback_status(lua_State *L) {
    return string_to_string(L, "id", tenios_client_callback_status);
}

/* client:agent_state_retrieve(email) -> "READY" | "NOT_READY" | nil, err */
static int client_agent_state_retrieve(lua_State *L) {
    return string_to_string(L, "email", tenios_client_agent_state_retrieve);
}

/* client:agent_state_change(email, state [, not_ready_reason]) -> true | nil, err */
static int client_agent_state_change(lua_State *L) {
    tl_client *client = check_client(L);
    const char *nul_arg = NULL;
    const char *email = tl_check_string(L, 2, "email", &nul_arg);
    const char *state = tl_check_string(L, 3, "state", &nul_arg);
    const char *reason = tl_opt_string(L, 4, "not_ready_reason", &nul_arg);
    if (refuse_closed(L, client)) return 2;
    if (nul_arg != NULL) return nul_failure(L, nul_arg);
    tl_pending *pending = tl_pending_new(L);
    call_scope scope;
    enter(L, client, &scope);
    uint32_t status =
        tenios_client_agent_state_change(client->handle, email, state, reason, &pending->err);
    leave(L, client, &scope);
    return finish(L, status, pending);
}

/* client:wrap_up_extend(agent_email, end_time) -> wrap_up_end_time | nil, err */
static int client_wrap_up_extend(lua_State *L) {
    tl_client *client = check_client(L);
    const char *nul_arg = NULL;
    const char *agent_email = tl_check_string(L, 2, "agent_email", &nul_arg);
    const char *end_time = tl_check_string(L, 3, "end_time", &nul_arg);
    if (refuse_closed(L, client)) return 2;
    if (nul_arg != NULL) return nul_failure(L, nul_arg);
    tl_pending *pending = tl_pending_new(L);
    call_scope scope;
    enter(L, client, &scope);
    uint32_t status = tenios_client_wrap_up_extend(client->handle, agent_email, end_time,
                                                   &pending->string, &pending->err);
    leave(L, client, &scope);
    return finish(L, status, pending);
}

/* client:wrap_up_cancel(agent_email) -> true | nil, err */
static int client_wrap_up_cancel(lua_State *L) {
    tl_client *client = check_client(L);
    const char *nul_arg = NULL;
    const char *agent_email = tl_check_string(L, 2, "agent_email", &nul_arg);
    if (refuse_closed(L, client)) return 2;
    if (nul_arg != NULL) return nul_failure(L, nul_arg);
    tl_pending *pending = tl_pending_new(L);
    call_scope scope;
    enter(L, client, &scope);
    uint32_t status = tenios_client_wrap_up_cancel(client->handle, agent_email, &pending->err);
    leave(L, client, &scope);
    return finish(L, status, pending);
}

/* client:call_json(path, body_json) -> the answer's JSON text | nil, err (the generic call:
 * body_json is a JSON object as a Lua string, without access_key) */
static int client_call_json(lua_State *L) {
    tl_client *client = check_client(L);
    const char *nul_arg = NULL;
    const char *path = tl_check_string(L, 2, "path", &nul_arg);
    const char *body_json = tl_check_string(L, 3, "body_json", &nul_arg);
    if (refuse_closed(L, client)) return 2;
    if (nul_arg != NULL) return nul_failure(L, nul_arg);
    tl_pending *pending = tl_pending_new(L);
    call_scope scope;
    enter(L, client, &scope);
    uint32_t status =
        tenios_client_call_json(client->handle, path, body_json, &pending->string, &pending->err);
    leave(L, client, &scope);
    return finish(L, status, pending);
}

/* client:preconnect() -> true | nil, err */
static int client_preconnect(lua_State *L) {
    tl_client *client = check_client(L);
    if (refuse_closed(L, client)) return 2;
    tl_pending *pending = tl_pending_new(L);
    call_scope scope;
    enter(L, client, &scope);
    uint32_t status = tenios_client_preconnect(client->handle, &pending->err);
    leave(L, client, &scope);
    return finish(L, status, pending);
}

/* ------------------------------------------------------------------ the handle */

/* client:last_timings() -> table | nil: the last call made through this client. */
static int client_last_timings(lua_State *L) {
    tl_client *client = check_client(L);
    if (!client->has_timings) {
        lua_pushnil(L);
        return 1;
    }
    tl_push_timings(L, &client->timings);
    return 1;
}

/* client:shutdown(): calls in flight return ERR_SHUTDOWN, later ones are refused. */
static int client_shutdown(lua_State *L) {
    tl_client *client = check_client(L);
    if (client->handle != NULL) {
        tenios_client_shutdown(client->handle);
    }
    return 0;
}

/* client:close(), __gc, __close: idempotent. Inside a call on this client (from its log
 * function) the C client is shut down now and freed when that call returns. */
static int client_close(lua_State *L) {
    tl_client *client = check_client(L);
    client->closed = true;
    if (client->active > 0) {
        tenios_client_shutdown(client->handle);
        return 0;
    }
    free_handle(L, client);
    return 0;
}

static int client_is_closed(lua_State *L) {
    lua_pushboolean(L, check_client(L)->closed);
    return 1;
}

/* Never the key (the userdata does not hold it): the address and open or closed. */
static int client_tostring(lua_State *L) {
    tl_client *client = check_client(L);
    lua_pushfstring(L, "tenios.client (%s): %p", client->closed ? "closed" : "open",
                    (void *)client);
    return 1;
}

static const luaL_Reg client_methods[] = {
    {"interrupt_block", client_interrupt_block},
    {"transfer_call", client_transfer_call},
    {"refer_call", client_refer_call},
    {"record_start", client_record_start},
    {"record_stop", client_record_stop},
    {"listen_in_start", client_listen_in_start},
    {"makecall_init", client_makecall_init},
    {"makecall_status", client_makecall_status},
    {"callback_init", client_callback_init},
    {"callback_status", client_callback_status},
    {"agent_state_retrieve", client_agent_state_retrieve},
    {"agent_state_change", client_agent_state_change},
    {"wrap_up_extend", client_wrap_up_extend},
    {"wrap_up_cancel", client_wrap_up_cancel},
    {"call_json", client_call_json},
    {"preconnect", client_preconnect},
    {"last_timings", client_last_timings},
    {"shutdown", client_shutdown},
    {"close", client_close},
    {"closed", client_is_closed},
    {NULL, NULL}};

/* ------------------------------------------------------------------ the default client */

/* tenios.interrupt_block(access_key, call_uuid) -> true | nil, err (the process-wide default
 * client: TENIOS_API_URL, TENIOS_CA_FILE) */
static int default_interrupt_block(lua_State *L) {
    const char *nul_arg = NULL;
    const char *key = tl_check_string(L, 1, "access_key", &nul_arg);
    const char *call_uuid = tl_check_string(L, 2, "call_uuid", &nul_arg);
    if (nul_arg != NULL) return nul_failure(L, nul_arg);
    tl_pending *pending = tl_pending_new(L);
    uint32_t status = tenios_interrupt_block(key, call_uuid, &pending->string);
    int results;
    if (status == TENIOS_OK) {
        lua_pushboolean(L, 1);
        results = 1;
    } else {
        results = tl_push_failure(L, status, NULL, pending->string);
    }
    tl_pending_release(pending);
    return results;
}

/* tenios.global_init() -> true | nil, err */
static int global_init(lua_State *L) {
    tl_pending *pending = tl_pending_new(L);
    return finish(L, tenios_global_init(&pending->err), pending);
}

static int global_cleanup(lua_State *L) {
    (void)L;
    tenios_global_cleanup();
    return 0;
}

static int version(lua_State *L) {
    lua_pushstring(L, tenios_version());
    return 1;
}

void tl_open_client(lua_State *L) {
    luaL_newmetatable(L, TL_CLIENT_MT);
    lua_newtable(L);
    tl_setfuncs(L, client_methods);
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, client_close);
    lua_setfield(L, -2, "__gc");
    lua_pushcfunction(L, client_close);
    lua_setfield(L, -2, "__close");
    lua_pushcfunction(L, client_tostring);
    lua_setfield(L, -2, "__tostring");
    lua_pushliteral(L, "tenios.client");
    lua_setfield(L, -2, "__metatable");
    lua_pop(L, 1);

    static const luaL_Reg functions[] = {{"client", client_new},
                                         {"interrupt_block", default_interrupt_block},
                                         {"global_init", global_init},
                                         {"global_cleanup", global_cleanup},
                                         {"version", version},
                                         {NULL, NULL}};
    tl_setfuncs(L, functions);
    static const struct {
        const char *name;
        uint32_t value;
    } constants[] = {{"DESTINATION_EXTERNALNUMBER", TENIOS_DESTINATION_EXTERNALNUMBER},
                     {"DESTINATION_SIP_USER", TENIOS_DESTINATION_SIP_USER},
                     {"DESTINATION_SIP_TRUNK", TENIOS_DESTINATION_SIP_TRUNK},
                     {"LOG_ERROR", TENIOS_LOG_ERROR},
                     {"LOG_WARN", TENIOS_LOG_WARN},
                     {"LOG_INFO", TENIOS_LOG_INFO},
                     {"LOG_DEBUG", TENIOS_LOG_DEBUG}};
    for (size_t i = 0; i < sizeof constants / sizeof constants[0]; i++) {
        lua_pushinteger(L, (lua_Integer)constants[i].value);
        lua_setfield(L, -2, constants[i].name);
    }
}
