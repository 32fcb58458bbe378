/*
 * cli_client.c — the `runnel` commands' common ground: parsing a command's flags with
 * --help, building client configurations for the bootstrap servers, and turning a
 * failed library call into the one error line DESIGN.md asks for (naming the topic,
 * the flag or the broker address).
 */
#include "tools/cli.h"

#include <stdarg.h>
#include <string.h>

void rn_cli_error(const char *fmt, ...) {
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    fprintf(stderr, "runnel: %s\n", line);
}

/* The first line of usage ("usage: runnel topic create NAME ..."), for error hints. */
static int first_line_len(const char *usage) {
    const char *nl = strchr(usage, '\n');
    return nl ? (int)(nl - usage) : (int)strlen(usage);
}

int rn_cli_parse_cmd(const char *cmd, const char *usage, int argc, char **argv,
                     const rn_cli_opt_t *opts, const char **pos, int npos_wanted) {
    char err[RN_CLI_ERRLEN] = "";
    int npos = 0;
    int rc = rn_cli_parse(argc, argv, opts, pos, npos_wanted, &npos, err, sizeof(err));
    if (rc == RN_CLI_HELP) {
        fputs(usage, stdout);
        return RN_CLI_EXIT_OK;
    }
    if (rc < 0) {
        rn_cli_error("%s: %s (see runnel %s --help)", cmd, err, cmd);
        return RN_CLI_EXIT_USAGE;
    }
    if (npos < npos_wanted) {
        rn_cli_error("%s: missing argument; %.*s", cmd, first_line_len(usage), usage);
        return RN_CLI_EXIT_USAGE;
    }
    return -1;
}

rn_conf_t *rn_cli_conf_new(const rn_cli_ctx_t *ctx) {
    rn_conf_t *conf = rn_conf_new();
    if (rn_cli_conf_set(conf, "-b", "bootstrap.servers", ctx->bootstrap) < 0 ||
        rn_cli_conf_set(conf, "-b", "client.id", "runnel-cli") < 0) {
        rn_conf_free(conf);
        return NULL;
    }
    return conf;
}

int rn_cli_conf_set(rn_conf_t *conf, const char *flag, const char *key, const char *value) {
    char err[RN_CLI_ERRLEN] = "";
    int rc = rn_conf_set(conf, key, value, err, sizeof(err));
    if (rc != 0) {
        rn_cli_error("%s %s: %s", flag, value, err[0] ? err : rn_err_str(rc));
        return -1;
    }
    return 0;
}

rn_admin_t *rn_cli_admin_new(const rn_cli_ctx_t *ctx) {
    rn_conf_t *conf = rn_cli_conf_new(ctx);
    if (!conf)
        return NULL;
    char err[RN_CLI_ERRLEN] = "";
    rn_admin_t *a = rn_admin_new(conf, err, sizeof(err));
    if (!a)
        rn_cli_error("cannot start an admin client for %s: %s", ctx->bootstrap,
                     err[0] ? err : "unknown error");
    return a;
}

int rn_cli_fail(const rn_cli_ctx_t *ctx, int rc, const char *err, const char *what) {
    const char *msg = err && err[0] ? err : rn_err_str(rc);
    /* A local, retriable failure means the broker never answered (refused, unreachable,
     * timed out, connection lost): name the address the user gave, unless msg does. */
    if (rc < 0 && rn_err_retriable(rc) && !strstr(msg, ctx->bootstrap))
        rn_cli_error("%s: %s (bootstrap servers: %s)", what, msg, ctx->bootstrap);
    else
        rn_cli_error("%s: %s", what, msg);
    return RN_CLI_EXIT_FAIL;
}

int rn_cli_list_names(const rn_cli_ctx_t *ctx, const char *what, const char *usage, int argc,
                      char **argv, rn_cli_list_fn list) {
    const rn_cli_opt_t opts[] = {RN_CLI_OPT_END};
    int rc = rn_cli_parse_cmd(what, usage, argc, argv, opts, NULL, 0);
    if (rc >= 0)
        return rc;
    rn_admin_t *a = rn_cli_admin_new(ctx);
    if (!a)
        return RN_CLI_EXIT_FAIL;
    char **names = NULL;
    int32_t n = 0;
    char err[RN_CLI_ERRLEN] = "";
    int r = list(a, &names, &n, err, sizeof(err));
    rn_admin_free(a);
    if (r != 0)
        return rn_cli_fail(ctx, r, err, what);
    for (int32_t i = 0; i < n; i++)
        printf("%s\n", names[i]);
    rn_admin_names_free(names, n);
    return RN_CLI_EXIT_OK;
}
