/*
 * LD_PRELOAD stand-in for getenv and secure_getenv that records the names asked for, so that
 * a test can prove which environment variables libtenios reads, and when. The test program
 * finds the recording functions with dlsym(RTLD_DEFAULT, ...).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define MAX_NAMES 256

static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static char g_names[MAX_NAMES][64];
static int g_count;

static void record(const char *name)
{
    pthread_mutex_lock(&g_lock);
    if (g_count < MAX_NAMES) {
        strncpy(g_names[g_count], name, sizeof g_names[0] - 1);
        g_names[g_count][sizeof g_names[0] - 1] = '\0';
        g_count++;
    }
    pthread_mutex_unlock(&g_lock);
}

char *getenv(const char *name)
{
    static char *(*real)(const char *);
    if (real == NULL)
        real = (char *(*)(const char *))dlsym(RTLD_NEXT, "getenv");
    record(name);
    return real(name);
}

char *secure_getenv(const char *name)
{
    static char *(*real)(const char *);
    if (real == NULL)
        real = (char *(*)(const char *))dlsym(RTLD_NEXT, "secure_getenv");
    record(name);
    return real(name);
}

void getenv_log_reset(void)
{
    pthread_mutex_lock(&g_lock);
    g_count = 0;
    pthread_mutex_unlock(&g_lock);
}

int getenv_log_count(void)
{
    pthread_mutex_lock(&g_lock);
    int n = g_count;
    pthread_mutex_unlock(&g_lock);
    return n;
}

const char *getenv_log_name(int i)
{
    return i >= 0 && i < g_count ? g_names[i] : NULL;
}
