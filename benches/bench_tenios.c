/*
 * Benchmark client: libtenios, through the default client (--mode default:
 * tenios_interrupt_block, base URL from TENIOS_API_URL, extra CA from TENIOS_CA_FILE) or
 * through a client handle (--mode handle: tenios_client_builder_set_base_url/_set_ca_file).
 * See bench_common.h for what is measured; benches/run.py runs it.
 */
#include "bench_common.h"

#include "tenios.h"

static int use_handle;
static tenios_client *client;
static int dummy_ctx;
static const char *g_key, *g_uuid;

int client_global_init(const bench_opts *o) {
    g_key = o->key;
    g_uuid = o->uuid;
    if (!strcmp(o->mode, "default")) {
        const char *env = getenv("TENIOS_API_URL");
        if (!env || strcmp(env, o->url) != 0) {
            fprintf(stderr, "bench_tenios: --mode default needs TENIOS_API_URL=%s\n", o->url);
            return 1;
        }
        return 0;
    }
    if (strcmp(o->mode, "handle") != 0) {
        fprintf(stderr, "bench_tenios: unknown mode %s (default, handle)\n", o->mode);
        return 1;
    }
    use_handle = 1;
    tenios_error *err = NULL;
    tenios_client_builder *b = tenios_client_builder_new();
    if (!b) return 1;
    if (tenios_client_builder_set_base_url(b, o->url, &err) != TENIOS_OK ||
        (o->ca && tenios_client_builder_set_ca_file(b, o->ca, &err) != TENIOS_OK) ||
        tenios_client_build(b, o->key, &client, &err) != TENIOS_OK) {
        fprintf(stderr, "bench_tenios: %s\n", tenios_error_message(err));
        tenios_error_free(err);
        tenios_client_builder_free(b);
        return 1;
    }
    tenios_client_builder_free(b);
    return 0;
}

/* The default client is process-wide and a handle is shared by all threads. */
void *client_thread_init(const bench_opts *o) {
    (void)o;
    return use_handle ? (void *)client : (void *)&dummy_ctx;
}

int client_call(void *ctx) {
    if (use_handle) {
        tenios_error *err = NULL;
        if (tenios_client_interrupt_block(ctx, g_uuid, &err) == TENIOS_OK) return 0;
        bench_report_failure(tenios_status_str(tenios_error_status(err)), tenios_error_message(err));
        tenios_error_free(err);
        return 1;
    }
    char *err = NULL;
    tenios_status st = tenios_interrupt_block(g_key, g_uuid, &err);
    if (st == TENIOS_OK) return 0;
    bench_report_failure(tenios_status_str((int32_t)st), err);
    tenios_string_free(err);
    return 1;
}

void client_thread_fini(void *ctx) { (void)ctx; }

void client_global_fini(void) { tenios_client_free(client); }

int main(int argc, char **argv) { return bench_main(argc, argv); }
